from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "gridgov.party"
    label = "party"
    verbose_name = "智慧党建"
