from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("division", "department")


@admin.register(User)
class GridgovUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("gridgov", {"fields": ("kind", "display_name", "phone", "town")}),)
    list_display = ("username", "display_name", "kind", "town", "is_active")
    list_filter = ("kind", "is_active")
    inlines = [RoleInline]
    raw_id_fields = ("town",)
