from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo towns: no models; installed so that `gridgov demo` finds its foundation hook (demo.py)."""

    name = "gridgov.demo"
    label = "demo"
    verbose_name = "演示数据"
