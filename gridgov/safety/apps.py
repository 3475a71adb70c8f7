from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "gridgov.safety"
    label = "safety"
    verbose_name = "智慧+安全监管"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.accounts import roles
        from gridgov.accounts.roles import Role

        from . import flow, inbox  # noqa: F401  (registering the hazard flow and the inbox source)

        inbox.install()
        inspect = {"view", "add", "change", "inspect", "plan", "rectify", "accept", "close", "export"}
        # 专业网格员 (安全生产) and the 应急 department's staff inspect, register hazards and accept rectification;
        # the grid worker sees and helps (包保); the leader watches, reports upward and supervises (挂牌督办).
        roles.grant(Role.PRO_WORKER, "safety.*", inspect)
        roles.grant(Role.DEPT_STAFF, "safety.*", inspect)
        roles.grant(Role.GRID_WORKER, "safety.*", {"view", "inspect", "plan", "rectify"})
        roles.grant(Role.GRID_LEADER, "safety.*", {"view"})
        roles.grant(Role.LEADER, "safety.*", {"view", "export", "supervise", "report"})
        roles.grant(Role.ADMIN, "safety.*", inspect | {"supervise", "report"})
        # The enterprise account (scope "own"): its profile, its self-inspections, its hazards' 五定 and evidence.
        roles.grant_own("safety.safetyprofile", {"view"})
        roles.grant_own("safety.inspection", {"view", "add", "change", "inspect"})
        roles.grant_own("safety.inspectionanswer", {"view"})
        roles.grant_own("safety.hazard", {"view", "plan", "rectify"})
        roles.grant_own("safety.ratingchange", {"view"})
