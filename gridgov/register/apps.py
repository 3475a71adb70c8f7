from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "gridgov.register"
    label = "register"
    verbose_name = "基础台账"
