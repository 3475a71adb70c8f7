from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = "事件与诉求"

    def ready(self) -> None:
        from . import flows, permissions
        from .models import Category
        from .selectors import active_categories

        permissions.install()
        flows.load()
        active_categories.watch(Category)
        from .categories import town_limits
        from .models import CategoryLimit

        town_limits.watch(CategoryLimit)
