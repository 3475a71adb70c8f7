from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gridgov.core.admin import AuditedModelAdmin

from .models import RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("division", "department")


@admin.register(User)
class GridgovUserAdmin(AuditedModelAdmin, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("gridgov", {"fields": ("kind", "display_name", "phone", "town")}),)
    list_display = ("username", "display_name", "kind", "town", "is_active")
    list_filter = ("kind", "is_active")
    inlines = [RoleInline]
    raw_id_fields = ("town",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "division", "department", "category")
    list_filter = ("role", "category")
    search_fields = ("user__username", "user__display_name")
    raw_id_fields = ("user", "division", "department")
