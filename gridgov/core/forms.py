"""The form renderer of gridgov: Django's template renderer, except for <select> and text-like <input>.

Django renders a select by including one template per <option>; a list page's filter form has a few selects
with dozens of options (the grids of a town, the tags, the case stages), which cost a town leader's list page
more than its rows. This renderer writes those selects, and the text, number and date inputs beside them, in
Python, byte for byte as Django's templates would (`gridgov/core/tests/test_forms.py` compares them), and
leaves every other widget to the templates.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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
