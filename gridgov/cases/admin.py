"""Configuration of the case engine in the admin: category trees with their limits, dispatch rules."""

from django.contrib import admin

from .models import Category, DispatchRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("tree", "code", "name", "parent", "deadline_amount", "deadline_unit", "pro_category", "active")
    list_filter = ("tree", "deadline_unit", "pro_category", "active")
    search_fields = ("code", "name")


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("town", "category", "area", "department", "pro_category", "priority")
    list_filter = ("town",)
    raw_id_fields = ("category", "area", "department")
