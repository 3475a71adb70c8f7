"""WSGI entry point for app servers behind a reverse proxy."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()

# Served requests leave sealing the audit chain to one background thread per process (gridgov.core.audit).
from gridgov.core.audit import use_sealer_thread  # noqa: E402

use_sealer_thread()
