"""Admin for shared configuration: the official holiday table and working hours (RULES.md §2)."""

from django.contrib import admin

from .models import WorkdayOverride, WorkingHoursConfig


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(WorkingHoursConfig)
class WorkingHoursConfigAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "periods", "timezone")
