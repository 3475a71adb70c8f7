from django.apps import AppConfig


class WindowConfig(AppConfig):
    name = "gridgov.window"
    label = "window"
    verbose_name = "一窗受理"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridgov.accounts import roles
        from gridgov.accounts.roles import Role

        from . import flows, inbox  # noqa: F401  (registering the flows is the import's effect)

        inbox.install()
        # Front desk (综合受理窗口) over the town, or a village service station (便民服务站) over its village:
        # enters and accepts applications, hands out results.
        roles.grant(Role.FRONT_DESK, "window.application", {"view", "add", "accept", "view_pii", "export"})
        roles.grant(Role.FRONT_DESK, "window.serviceitem", {"view", "export"})
        roles.grant(Role.FRONT_DESK, "window.rating", {"view"})
        # The back office (后台分类审批): the department's staff and approvers decide its items' applications.
        for role in (Role.DEPT_STAFF, Role.APPROVER):
            roles.grant(role, "window.application", {"view", "approve", "view_pii"})
            roles.grant(role, "window.serviceitem", {"view"})
            roles.grant(role, "window.rating", {"view"})
            roles.grant(role, "window.rectification", {"view", "rectify"})
        # The town's leaders see everything of the town and approve extensions (延期) and 差评 reviews.
        roles.grant(Role.LEADER, "window.*", {"view", "export", "extend", "review"})
        # An applicant's own applications and ratings (scope "own").
        roles.grant_own("window.application", {"view", "add", "resubmit"})
        roles.grant_own("window.rating", {"view", "add"})
