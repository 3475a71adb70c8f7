"""`{% postform %}` and `{% field %}`: every page form the same way. An error stands under its field's label, all
of a form's errors at once, and what the person typed is shown again; an error of no field on the form is named
above it by its label (never by the internal name), or alone.

    {% load gridgov_forms %}
    {% postform "meeting" action=url class="card" %}
      {% translate "主题" as l %}{% field "title" l required=True maxlength=200 %}
      <button>…</button>
    {% endpostform %}

The refusal comes from the view's `errors` (the view caught a ValidationFailed and rendered its page again), or
from the page middleware (`core.forms.form_page_again`: a ValidationFailed the view let escape). A page with
several forms names each (`"mark"`, `"close"`; one per row with `key=row.pk`): only the form that was sent shows
the errors and the typed values — recognised by its hidden `_form`, or by the `action` field an older form posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@dataclass
class FormState:
    name: str
    errors: dict[str, list[str]]
    data: Any  # what was posted, when this form was the one sent; else None
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (label, element id) of a shown field


def _as_lists(errors: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, reasons in (errors or {}).items():
        out[str(name)] = [str(reasons)] if isinstance(reasons, str) else [str(r) for r in reasons]
    return out


def _sent_here(request: Any, ident: str, name: str) -> tuple[bool, Any, dict[str, list[str]] | None]:
    """Whether the form `ident` (`name`, or `name-key` for one of a row's forms) is the one the request sent;
    its data; and the refusal the middleware passed on. A form sent without `_form` is known by its `action`."""
    refusal = getattr(request, "form_refusal", None)
    if refusal is not None:
        data = refusal.data
        sent = refusal.form == ident if refusal.form else data.get("action", name) in (name, "")
        return sent, data, refusal.errors if sent else None
    if request is None or request.method != "POST":
        return False, None, None
    data = request.POST
    sent = data.get("_form") == ident if data.get("_form") else data.get("action", name) in (name, "")
    return sent, data, None


class PostFormNode(Node):
    def __init__(self, name: FilterExpression, kwargs: dict[str, FilterExpression], nodelist: NodeList):
        self.name, self.kwargs, self.nodelist = name, kwargs, nodelist

    def render(self, context: Any) -> SafeString:
        request = context.get("request")
        kw = {k: v.resolve(context) for k, v in self.kwargs.items()}
        base = str(self.name.resolve(context))
        name = f"{base}-{kw['key']}" if kw.get("key") not in (None, "") else base
        sent, data, refused = _sent_here(request, name, base)
        errors = _as_lists(refused if refused is not None else (kw.get("errors", context.get("errors")) if sent
                                                                  else {}))
        state = FormState(name, errors, data if sent else None)
        with context.push(form_state=state):
            inner = self.nodelist.render(context)
        # Above the form, every error of it (as GOV.UK's error summary): each named as the page names it (the
        # view's `labels`, else the label over its field), a shown one linking to its field; the reasons of the
        # whole input, and of a field the view has no name for, alone — never the internal name.
        labels = {**{f: label for f, (label, _id) in state.shown.items()},
                  **{str(k): str(v) for k, v in (kw.get("labels") or context.get("labels") or {}).items()}}
        summary = ""
        if errors:
            lines = []
            for f, reasons in errors.items():
                label = labels.get(f) if f != "__all__" else None
                said = _("%(field)s：%(reason)s") % {"field": label, "reason": "；".join(reasons)} if label else (
                    "；".join(reasons))
                lines.append(format_html('<p data-error-of="{}"><a href="#{}">{}</a></p>', f, state.shown[f][1], said)
                             if state.shown.get(f, ("", ""))[1] else format_html('<p data-error-of="{}">{}</p>', f, said))
            summary = format_html('<div class="error card" role="alert" id="form-errors-{}"><p><b>{}</b> {}</p>{}'
                                  '</div>', name, _("输入有误"), _("请按提示修改后重新提交。"),
                                  mark_safe("".join(lines)))  # noqa: S308 - escaped
        attrs = "".join(format_html(' {}="{}"', a, kw[k]) for k, a in (
            ("action", "action"), ("class", "class"), ("id", "id")) if kw.get(k))
        if kw.get("multipart"):
            attrs += ' enctype="multipart/form-data"'
        token = context.get("csrf_token")
        hidden = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token) if token else ""
        page = request.get_full_path() if request is not None else ""
        hidden += format_html('<input type="hidden" name="_form" value="{}"><input type="hidden" name="_page" '
                              'value="{}">', name, page)
        return mark_safe(f'<form method="post"{attrs} data-form="{conditional_escape(name)}" novalidate>'  # noqa: S308
                         f'{hidden}{summary}{inner}</form>')


def _kwargs(parser: Parser, bits: list[str]) -> dict[str, FilterExpression]:
    out = {}
    for bit in bits:
        key, sep, value = bit.partition("=")
        if not sep:
            raise template.TemplateSyntaxError(f"expected name=value, got {bit!r}")
        out[key] = parser.compile_filter(value)
    return out


@register.tag
def postform(parser: Parser, token: Token) -> PostFormNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% postform %} needs the form's name")
    nodelist = parser.parse(("endpostform",))
    parser.delete_first_token()
    return PostFormNode(parser.compile_filter(bits[1]), _kwargs(parser, bits[2:]), nodelist)


class FieldNode(Node):
    def __init__(self, name: FilterExpression, label: FilterExpression, kwargs: dict[str, FilterExpression]):
        self.name, self.label, self.kwargs = name, label, kwargs

    def render(self, context: Any) -> SafeString:
        name, label = str(self.name.resolve(context)), str(self.label.resolve(context))
        kw = {k: v.resolve(context) for k, v in self.kwargs.items()}
        state: FormState | None = context.get("form_state")
        value = kw.get("value")
        errors = None
        idp = kw.get("idp", f"{state.name}-" if state is not None else "")
        if state is not None:
            state.shown[name] = (label, f"f-{idp}{name}")
            errors = state.errors.get(name)
            if state.data is not None:  # the form as it was sent: everything typed is kept
                value = state.data.get(name, "")
        options = [o if isinstance(o, (tuple, list)) else (getattr(o, "pk", o), str(o))
                   for o in kw.get("options") or ()]
        ctx = {**kw, "name": name, "label": label, "value": value, "errors": errors, "options": options, "idp": idp}
        return get_template("field.html").render(ctx)


class ErrorsOfNode(Node):
    def __init__(self, names: list[FilterExpression], label: FilterExpression, target: FilterExpression | None):
        self.names, self.label, self.target = names, label, target

    def render(self, context: Any) -> SafeString:
        state: FormState | None = context.get("form_state")
        if state is None:
            return mark_safe("")
        label = str(self.label.resolve(context))
        target = str(self.target.resolve(context)) if self.target is not None else ""
        out = []
        for expr in self.names:
            name = str(expr.resolve(context))
            state.shown[name] = (label, target)
            if state.errors.get(name):
                out.append(format_html('<p class="field-error" id="e-{}{}" role="alert">{}</p>', state.name, name,
                                       "；".join(state.errors[name])))
        return mark_safe("".join(out))  # noqa: S308 - escaped


@register.tag
def errors_of(parser: Parser, token: Token) -> ErrorsOfNode:
    """`{% errors_of "lat" "location" label for="map" %}`: the errors of fields drawn by hand (a map, a select
    of groups), under the control that stands for them, named `label` in the summary."""
    bits = token.split_contents()[1:]
    target = None
    if bits and bits[-1].startswith("for="):
        target = parser.compile_filter(bits.pop()[4:])
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% errors_of %} needs the fields' names and their label")
    return ErrorsOfNode([parser.compile_filter(b) for b in bits[:-1]], parser.compile_filter(bits[-1]), target)


@register.tag("field")
def field_tag(parser: Parser, token: Token) -> FieldNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% field %} needs the field's name and label")
    return FieldNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]), _kwargs(parser, bits[3:]))
