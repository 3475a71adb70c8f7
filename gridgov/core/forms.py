"""The form renderer of gridgov: Django's template renderer, except for <select> and text-like <input>.

Django renders a select by including one template per <option>; a list page's filter form has a few selects
with dozens of options (the grids of a town, the tags, the case stages), which cost a town leader's list page
more than its rows. This renderer writes those selects, and the text, number and date inputs beside them, in
Python, byte for byte as Django's templates would (`gridgov/core/tests/test_forms.py` compares them), and
leaves every other widget to the templates.

Below it, what every page form shares: `FormInput` reads a posted form and notes every bad value under its field,
and `form_page_again` shows a refused form's page again with its errors beside the fields (the page middleware
calls it for any ValidationFailed a POST lets escape), so no page answers with a bare error page.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .errors import GridgovError, ValidationFailed

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict[str, Any]) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


def select_html(widget: dict[str, Any]) -> SafeString:
    """The HTML of Django's select.html for a widget context (`context["widget"]`)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for o in options:
            parts.append(f'\n  <option value="{conditional_escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
                         f'{conditional_escape(o["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# Widget templates that are `{% include "django/forms/widgets/input.html" %}`, and input.html itself.
INPUTS = {f"django/forms/widgets/{kind}.html" for kind in (
    "input", "text", "number", "date", "datetime", "time", "email", "url", "password", "hidden", "search", "tel")}


def input_html(widget: dict[str, Any]) -> SafeString:
    """The HTML of Django's input.html for a widget context."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}'
        f'{_attrs(widget["attrs"])}>')


class FastSelectRenderer(DjangoTemplates):
    """FORM_RENDERER: selects and text-like inputs written in Python, everything else through the templates."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if not isinstance(widget, dict):
            return super().render(template_name, context, request)
        if (template_name == SELECT
                and all(o.get("template_name") == OPTION for _g, opts, _i in widget["optgroups"] for o in opts)):
            return select_html(widget)
        if template_name in INPUTS:  # the renderer strips what templates write: no line breaks
            return input_html(widget)
        return super().render(template_name, context, request)


# ---- page forms: read every field, name every refusal beside its field ---------------------------------------


class FormInput:
    """A posted page form read field by field. An unreadable or impossible value is noted under its field and the
    reading goes on, so the person is told everything wrong with the form at once; `check()` then raises one
    ValidationFailed with all of it. Messages are in the user's language; the page shows each under its
    field's label (`{% field %}` in gridgov/core/templatetags/gridgov_forms.py)."""

    def __init__(self, data: Any):
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))

    def raw(self, name: str) -> str:
        return str(self.data.get(name) or "").strip()

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name)
        if required and not value:
            self.refuse(name, _("必填"))
        elif max_length is not None and len(value) > max_length:
            self.refuse(name, _("过长（最多 %(n)d 字）") % {"n": max_length})
        return value

    def integer(self, name: str, *, required: bool = False, default: int | None = None,
                least: int | None = None, most: int | None = None) -> int | None:
        raw = self.raw(name)
        if not raw:
            if required and default is None:
                self.refuse(name, _("必填"))
            return default
        try:
            value = int(raw)
        except ValueError:
            self.refuse(name, _("应为整数"))
            return None
        return value if self._within(name, value, least, most) else None

    def number(self, name: str, *, required: bool = False, default: float | None = None,
               least: float | None = None, most: float | None = None) -> float | None:
        raw = self.raw(name)
        if not raw:
            if required and default is None:
                self.refuse(name, _("必填"))
            return default
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):  # NaN and infinities are no number typed
            self.refuse(name, _("应为数字"))
            return None
        return value if self._within(name, value, least, most) else None

    def _within(self, name: str, value: float, least: float | None, most: float | None) -> bool:
        if (least is not None and value < least) or (most is not None and value > most):
            self.refuse(name, _("应在 %(a)s 至 %(b)s 之间") % {"a": f"{least:g}" if least is not None else "",
                                                                 "b": f"{most:g}" if most is not None else ""})
            return False
        return True

    def date(self, name: str, *, window: Any, required: bool = True) -> dt.date | None:
        """A date typed YYYY-MM-DD, inside `window` (a core.validators.DateWindow)."""
        raw = self.raw(name)
        if not raw:
            if required:
                self.refuse(name, _("必填"))
            return None
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            self.refuse(name, _("应为日期，如 2026-03-01"))
            return None
        return value if self._in_window(name, value, window) else None

    def datetime(self, name: str, *, window: Any, required: bool = True) -> dt.datetime | None:
        """A date and time (the browser's datetime-local, YYYY-MM-DDTHH:MM) in Asia/Shanghai, inside `window`."""
        raw = self.raw(name)
        if not raw:
            if required:
                self.refuse(name, _("必填"))
            return None
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.refuse(name, _("时间格式错误"))
            return None
        if not self._in_window(name, value, window):
            return None
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    def _in_window(self, name: str, value: dt.date, window: Any) -> bool:
        try:
            window.check(value)
        except DjangoValidationError as exc:
            for message in exc.messages:
                self.refuse(name, message)
            return False
        return True

    def check(self) -> None:
        """Raise every refusal noted so far, if any."""
        if self.errors:
            raise ValidationFailed(self.errors)


def merge_errors(*parts: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of several checks as one map: a form's own reading and its service's refusal."""
    out: dict[str, list[str]] = {}
    for part in parts:
        for name, reasons in part.items():
            for reason in [reasons] if isinstance(reasons, str) else reasons:
                if str(reason) not in out.setdefault(name, []):
                    out[name].append(str(reason))
    return out


@dataclass
class Refusal:
    """A refused POST, handed to the page that shows its form again: the errors per field, what was typed, and
    which form of the page was sent (its `_form`)."""

    errors: dict[str, list[str]]
    data: Any
    form: str


def _same_site_referer(request: HttpRequest) -> str:
    """The path and query of the page that sent the request, when it is a page of this site (a form written
    without `{% postform %}` carries no `_page`)."""
    from urllib.parse import urlsplit

    ref = urlsplit(request.headers.get("Referer", ""))
    if not ref.netloc or ref.netloc != request.get_host():
        return ""
    return ref.path + (f"?{ref.query}" if ref.query else "")


def form_page_again(request: HttpRequest, exc: ValidationFailed) -> HttpResponse | None:
    """The page a refused form was sent from (its hidden `_page`), rendered again as a GET with the refusal
    beside the fields and everything typed kept (422). None when the form names no page of this site, or that
    page cannot be shown; the caller then answers with the error page."""
    page = str(request.POST.get("_page") or "") or _same_site_referer(request)
    if not page.startswith("/") or page.startswith("//") or "\\" in page:
        return None
    path, _sep, query = page.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        return None
    again = copy.copy(request)
    again.method = "GET"
    again.META = {**request.META, "REQUEST_METHOD": "GET", "QUERY_STRING": query}
    again.GET = QueryDict(query)
    again.path = again.path_info = path
    again.form_refusal = Refusal(merge_errors(exc.errors), request.POST, str(request.POST.get("_form") or ""))
    try:
        response = match.func(again, *match.args, **match.kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    except GridgovError:
        return None
    if response.status_code != 200:  # a redirect (a login page, say) is no form to show
        return None
    response.status_code = 422
    return response
