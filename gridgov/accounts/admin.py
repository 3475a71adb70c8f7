from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

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


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login through the same lockout as the sign-in page (the backend counts), saying so when
    the account is locked instead of 'wrong password'."""

    def clean(self) -> dict:
        try:
            return super().clean()
        except ValidationError:
            locked = getattr(self.request, "gridgov_locked_out", None)
            if locked is not None:
                raise ValidationError(str(locked), code="locked") from None
            raise


admin.site.login_form = LockoutAdminAuthenticationForm
