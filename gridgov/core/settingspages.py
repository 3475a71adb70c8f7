"""Configuration pages (系统设置) of every app: a table of rows and a form of fields, with each error under its
field's label and the input kept. An app describes its fields and hands over the service that saves them;
the pages themselves are the same everywhere (templates `settings/list.html`, `settings/form.html`).

The settings hub (`/settings/`) lists what each app's `nav.py` offers in `settings_items(user)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .errors import Conflict, ValidationFailed


@dataclass
class Field:
    """One field of a settings form. kind: "text" | "number" | "select" | "textarea" | "password" | "bool"."""

    name: str
    label: str
    kind: str = "text"
    options: Sequence[tuple[Any, str]] = ()
    required: bool = False
    help: str = ""
    maxlength: int | None = None

    def widget(self) -> dict[str, Any]:
        if self.kind == "bool":
            return {"kind": "select", "type": "text", "options": [("1", _("是")), ("0", _("否"))]}
        if self.kind in ("select", "textarea"):
            return {"kind": self.kind, "type": "text", "options": list(self.options)}
        return {"kind": "", "type": self.kind, "options": []}


@dataclass
class Column:
    label: str
    value: Callable[[Any], Any]


@dataclass
class Link:
    label: str
    url: Callable[[Any], str]


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: Sequence[Any]
    links: list[Link] = field(default_factory=list)
    new_url: str = ""
    new_label: str = ""
    intro: str = ""
    empty: str = ""


def render_table(request: HttpRequest, table: Table, *, template: str = "settings/list.html",
                 extra: dict[str, Any] | None = None) -> HttpResponse:
    """The table page; a template extending `settings/list.html` may add a filter form (`before_table`)."""
    rows = [{"cells": [(c.label, c.value(r)) for c in table.columns],
             "links": [(link.label, link.url(r)) for link in table.links if link.url(r)]} for r in table.rows]
    return render(request, template, {"table": table, "rows": rows, "labels": [c.label for c in table.columns],
                                      **(extra or {})})


def posted(request: HttpRequest, fields: Sequence[Field]) -> dict[str, Any]:
    """The submitted values of `fields` as text, stripped; a "bool" field as True/False."""
    data: dict[str, Any] = {}
    for f in fields:
        value = request.POST.get(f.name, "")
        if f.kind == "bool":
            data[f.name] = value == "1"
        elif f.kind == "file":
            data[f.name] = request.FILES.get(f.name)
        else:
            data[f.name] = value if f.kind in ("password", "textarea") else value.strip()
    return data


def shown(value: Any) -> Any:
    """A value as the form shows it again: True/False as the select's "1"/"0"."""
    if value is True:
        return "1"
    if value is False:
        return "0"
    return "" if value is None else value


def form_page(request: HttpRequest, *, title: str, fields: Sequence[Field], initial: dict[str, Any],
              save: Callable[[dict[str, Any]], Any], success_url: str | Callable[[Any], str], back_url: str,
              subtitle: str = "", version: int | None = None, saved_message: str = "",
              extra: dict[str, Any] | None = None) -> HttpResponse:
    """GET: the form with `initial`. POST: `save(data)` (a service call); its ValidationFailed puts each reason
    under its field (the rest above the form), and everything typed is shown again."""
    data = {k: shown(v) for k, v in initial.items()}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = posted(request, fields)
        data = {**data, **{f.name: shown(values[f.name]) for f in fields if f.kind not in ("password", "file")}}
        if version is not None:
            values["version"] = _int_or_none(request.POST.get("version"))
        try:
            result = save(values)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
        else:
            messages.success(request, saved_message or _("已保存"))
            return redirect(success_url(result) if callable(success_url) else success_url)
        # The form shows again what was typed ({% postform %} reads the POST), except a password.
        request.POST = request.POST.copy()
        for f in fields:
            if f.kind == "password":
                request.POST[f.name] = ""
    rendered = [{**f.widget(), "name": f.name, "label": f.label, "required": f.required, "help": f.help,
                 "maxlength": f.maxlength, "value": data.get(f.name, ""), "errors": errors.get(f.name)}
                for f in fields]
    return render(request, "settings/form.html", {
        "title": title, "subtitle": subtitle, "fields": rendered, "errors": errors, "back_url": back_url,
        "labels": {f.name: f.label for f in fields}, "version": version,
        "multipart": any(f.kind == "file" for f in fields), **(extra or {})}, status=status)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def choice_id(value: Any) -> int | None:
    """A submitted id from a select: None when empty or not a number (the service then says what is wrong)."""
    return _int_or_none(value) if value not in ("", None) else None


def settings_items(user: Any) -> list[dict[str, str]]:
    """The entries of the settings hub: each app's `nav.settings_items(user)`, in app order."""
    from .context import nav_modules

    return [item for m in nav_modules() if hasattr(m, "settings_items") for item in m.settings_items(user)]
