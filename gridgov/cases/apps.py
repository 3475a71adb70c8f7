from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = "事件与诉求"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import flows, permissions
        from .models import Category
        from .selectors import active_categories

        permissions.install()
        flows.load()
        post_save.connect(active_categories.clear, sender=Category, dispatch_uid="gridgov-categories")
        post_delete.connect(active_categories.clear, sender=Category, dispatch_uid="gridgov-categories-del")
