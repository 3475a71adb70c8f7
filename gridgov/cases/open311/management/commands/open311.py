"""`gridgov open311 add NAME [--town CODE]` creates an Open311 client and prints its API key once;
`gridgov open311 rotate NAME` replaces the key; `gridgov open311 list` lists clients."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.cases.open311.models import Client
from gridgov.cases.open311.services import open311_client_create, open311_client_rotate


class Command(BaseCommand):
    help = "Open311 clients and API keys"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("name")
        add.add_argument("--town", default="", help="division code of the town it may report into")
        add.add_argument("--contact", default="")
        rotate = sub.add_parser("rotate")
        rotate.add_argument("name")
        sub.add_parser("list")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "list":
            for c in Client.objects.select_related("town").order_by("name"):
                self.stdout.write(f"{c.name}\t{c.town or '*'}\t{c.key_prefix}…\t{'active' if c.active else 'off'}")
            return
        if action == "add":
            town = None
            if options["town"]:
                from gridgov.network.models import Division

                town = Division.objects.filter(code=options["town"]).first()
                if town is None:
                    raise CommandError(f"no division with code {options['town']}")
            _client, key = open311_client_create(name=options["name"], town=town, contact=options["contact"],
                                                 acting_user=None)
        else:
            client = Client.objects.filter(name=options["name"]).first()
            if client is None:
                raise CommandError(f"no client named {options['name']}")
            key = open311_client_rotate(client=client, acting_user=None)
        self.stdout.write(f"api_key: {key}")
        self.stdout.write("(shown once; store it in the client system)")
