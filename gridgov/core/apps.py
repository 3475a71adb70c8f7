from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridgov.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from . import calendar, checks  # noqa: F401 (checks registers the deploy checks)

        calendar.connect_signals()
