"""Configuration of party building in the admin: the points rules table (量化积分规则, RULES.md §4 defaults).

Every save and delete goes to the audit chain with before/after (`AuditedModelAdmin`); a town overrides a
default rule by adding a row with the same code and its town."""

from django.contrib import admin

from gridgov.core.admin import AuditedModelAdmin

from .models import PointRule


@admin.register(PointRule)
class PointRuleAdmin(AuditedModelAdmin):
    list_display = ("code", "label", "category", "points", "annual_cap", "claimable", "active", "town")
    list_filter = ("category", "active", "claimable", "town")
    search_fields = ("code", "label")
    ordering = ("town", "category", "code")
    raw_id_fields = ("town",)
