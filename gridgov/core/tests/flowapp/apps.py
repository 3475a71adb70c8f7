from django.apps import AppConfig


class FlowAppConfig(AppConfig):
    name = "gridgov.core.tests.flowapp"
    label = "flowapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import flow  # noqa: F401  (registering is the import's effect)
