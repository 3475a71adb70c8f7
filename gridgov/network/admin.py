"""Admin for the network: departments are configuration; divisions are read-mostly here (renaming only),
because polygons and the tree are edited through network.services with their checks."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from gridgov.core.admin import AuditedModelAdmin

from .models import Department, Division


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "town", "head")
    list_filter = ("town",)
    search_fields = ("name", "code")
    raw_id_fields = ("head",)
    exclude = ("version",)


@admin.register(Division)
class DivisionAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "level", "grid_type", "town")
    list_filter = ("level", "grid_type")
    search_fields = ("name", "code")
    fields = ("name", "code", "level", "parent", "grid_type", "area_km2", "center_lat", "center_lon")
    readonly_fields = ("code", "level", "parent", "grid_type", "area_km2", "center_lat", "center_lon")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
