from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "gridgov.network"
    label = "network"
    verbose_name = "网格网络"
