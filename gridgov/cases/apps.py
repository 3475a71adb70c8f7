from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gridgov.cases"
    label = "cases"
    verbose_name = "事件与诉求"
