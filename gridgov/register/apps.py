from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = "基础台账"

    def ready(self) -> None:
        from gridgov.accounts.roles import grant_own

        # An import run (with its error report) is seen by the person who imported the file, nobody else.
        grant_own("register.importrun", {"view"})
