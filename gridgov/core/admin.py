"""Django admin is for configuration only (departments, divisions read-mostly, calendars, users and roles).
Every save and delete made there is written to the audit chain like any service write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from . import audit
from .models import WorkdayOverride, WorkingHoursConfig


def _stored(obj: models.Model) -> dict[str, Any] | None:
    """The row as it is in the database now (before the admin's change), or None for a new row."""
    if obj.pk is None:
        return None
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    return audit.snapshot(current) if current is not None else None


def _save_audited(request: HttpRequest, obj: models.Model, save: Any) -> None:
    with transaction.atomic():
        before = _stored(obj)
        if before is not None and hasattr(obj, "version"):
            obj.version = (before.get("version") or obj.version) + 1  # admin edits also invalidate open forms
        save()
        audit.record(obj, "update" if before is not None else "create", before, actor=request.user)


def _delete_audited(request: HttpRequest, obj: models.Model) -> None:
    with transaction.atomic():
        before, pk = audit.snapshot(obj), obj.pk
        obj.delete()
        obj.pk = pk
        audit.record(obj, "delete", before, actor=request.user)


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes (including inline rows) land in the audit chain with before/after."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        _save_audited(request, obj, lambda: super(AuditedModelAdmin, self).save_model(request, obj, form, change))

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        _delete_audited(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            _delete_audited(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _delete_audited(request, obj)
        for obj in instances:
            _save_audited(request, obj, obj.save)
        formset.save_m2m()


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"


@admin.register(WorkingHoursConfig)
class WorkingHoursConfigAdmin(AuditedModelAdmin):
    list_display = ("jurisdiction", "periods", "timezone")
