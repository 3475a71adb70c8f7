"""The select renderer writes exactly what Django's templates write, only faster."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from gridgov.core.forms import FastSelectRenderer


class Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "甲 & 乙"), ("b", '"引号"')], required=False)
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "<Z>")], required=False)
    grouped = forms.ChoiceField(choices=[("网格", [("1", "一"), ("2", "二")]), ("村居", [("3", "三")]), ("4", "四")])
    with_attrs = forms.ChoiceField(choices=[(1, "one"), (2, "two")],
                                   widget=forms.Select(attrs={"class": "pick", "data-x": "a\"b", "disabled": True}))
    number = forms.IntegerField(required=False)
    text = forms.CharField(required=False, max_length=20, widget=forms.TextInput(attrs={"placeholder": "名<称>"}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    mail = forms.EmailField(required=False)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    amount = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "0.01", "readonly": True}))
    box = forms.BooleanField(required=False)


@pytest.mark.parametrize("data", [None, {"plain": "a", "many": ["x", "z"], "grouped": "3", "with_attrs": "2"},
                                  {"plain": "<script>", "many": ["nope"], "number": "x", "text": '"><script>&',
                                   "day": "2026-02-30", "when": "2026-01-01 08:00", "mail": "a&b@c", "box": "on",
                                   "secret": "<p>", "hidden": "'1'", "amount": "1.5"}])
def test_selects_and_inputs_render_byte_for_byte_as_django_s_templates(data):
    fast = Form(data, renderer=FastSelectRenderer())
    slow = Form(data, renderer=DjangoTemplates())
    for name in Form.base_fields:
        assert str(fast[name]) == str(slow[name]), name


def test_a_select_whose_options_use_another_template_goes_through_the_templates():
    class Odd(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Odd(choices=[("a", "A")])
    html = widget.render("f", "a", renderer=FastSelectRenderer())
    assert "<label><input" in html and html == widget.render("f", "a", renderer=DjangoTemplates())
