from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridgov.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import sessions, twofactor

        user_logged_in.connect(twofactor.on_user_logged_in, dispatch_uid="gridgov_second_factor")
        user_logged_in.connect(sessions.on_user_logged_in, dispatch_uid="gridgov_session_limits")
