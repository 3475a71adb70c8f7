from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = "事件与诉求"

    def ready(self) -> None:
        from . import flows, permissions

        permissions.install()
        flows.load()
