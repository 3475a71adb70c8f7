"""`gridgov audit verify`: seal what is waiting, then recompute the audit hash chain and check it against its
anchors outside the database; exit 1 naming each edited, deleted or rewritten record. `gridgov audit seal`: chain
the records written since the last seal (cron-safe, idempotent). `gridgov audit anchor`: anchor the tip now.
`gridgov audit key`: print the public key that checks the anchors (GRIDGOV_AUDIT_PUBLIC_KEY of an auditor)."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.anchor import anchor, anchors_path, public_key_text
from gridgov.core.audit import seal_all, verify


class Command(BaseCommand):
    help = "Audit chain tools: verify, seal, anchor, key"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal", "anchor", "key"])

    def handle(self, *args, **options):
        action = options["action"]
        if action == "key":
            self.stdout.write(public_key_text())
            return
        sealed = seal_all()
        if action == "seal":
            self.stdout.write(f"audit chain: {sealed} record(s) sealed")
            return
        if action == "anchor":
            wrote = anchor()
            self.stdout.write(f"audit chain: tip {'anchored' if wrote else 'already anchored'} in {anchors_path()}")
            return
        result = verify()
        if result.ok:
            waiting = f", {result.unsealed} written meanwhile and not yet sealed" if result.unsealed else ""
            anchored = (f"; {result.anchors} anchor(s) in {anchors_path()} match"
                        f"{f', {result.unanchored} record(s) after the last anchor' if result.unanchored else ''}"
                        f"{f', {result.replaced} record(s) of a chain replaced by a restore' if result.replaced else ''}")
            self.stdout.write(f"audit chain OK: {result.checked} record(s) verified{waiting}{anchored}")
            return
        for p in result.problems:
            self.stderr.write(p)
        raise CommandError(f"audit chain BROKEN: {len(result.problems)} problem(s) in {result.checked} record(s)")
