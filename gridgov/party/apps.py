from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "gridgov.party"
    label = "party"
    verbose_name = "智慧党建"

    def ready(self) -> None:
        from gridgov.accounts import roles

        from . import inbox

        inbox.install()
        from gridgov.accounts.roles import Role

        from .models import PointRule
        from .services import active_rules

        # A rule edited in this process is used at once (another process sees it within the cache's TTL).
        active_rules.watch(PointRule)

        # The town party office holds party_secretary over the town; a village secretary over the village.
        roles.grant(Role.PARTY_SECRETARY, "party.*", {"view", "add", "change", "view_pii", "approve", "export"})
        roles.grant(Role.LEADER, "party.*", {"view", "export"})
        # A member's own rows (scope "own"): their record, attendance, points, claims, study, objections.
        roles.grant_own("party.member", {"view"})
        roles.grant_own("party.attendance", {"view"})
        roles.grant_own("party.pointentry", {"view"})
        roles.grant_own("party.pointyear", {"view"})
        roles.grant_own("party.pointclaim", {"view", "add"})
        roles.grant_own("party.studyrecord", {"view", "add"})
        roles.grant_own("party.objection", {"view", "add"})
        roles.grant_own("party.transfer", {"view"})
