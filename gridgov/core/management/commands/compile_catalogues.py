"""Compile every locale/*/LC_MESSAGES/django.po under gridgov/ into .mo with polib (no gettext tools)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translation catalogues (.po → .mo) with polib"

    def handle(self, *args, **options):
        n = 0
        for po_path in Path(settings.BASE_DIR).rglob("locale/*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            n += 1
        self.stdout.write(f"compiled {n} catalogue(s)")
