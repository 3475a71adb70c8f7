"""The order of the apps' demo seeds (core/demo.py): INSTALLED_APPS order, unless a seed's `AFTER` names apps
whose seeds must run first; a seed waiting for an app that is not installed, or seeds waiting for each other,
stop `gridgov demo` before it writes anything."""

from __future__ import annotations

import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from gridgov.core.demo import DemoHook, ordered


def hook(label: str, *after: str) -> DemoHook:
    module = types.ModuleType(f"gridgov.{label}.demo")
    module.seed = lambda ctx: None
    if after:
        module.AFTER = after
    return DemoHook(label, module)


def labels(hooks):
    return [h.label for h in hooks]


def test_it_keeps_the_app_order_when_no_seed_asks_for_another():
    assert labels(ordered([hook("cases"), hook("party"), hook("safety")])) == ["cases", "party", "safety"]


def test_it_runs_a_seed_after_the_seeds_it_names():
    """The enforcement seed turns demo grid events into enforcement cases: it runs after cases and safety even
    though its app comes first, and the others keep their order."""
    hooks = [hook("enforcement", "cases", "safety"), hook("cases"), hook("party"), hook("safety")]
    assert labels(ordered(hooks)) == ["cases", "party", "safety", "enforcement"]


def test_it_lets_a_seed_name_an_installed_app_that_has_no_seed():
    assert labels(ordered([hook("cases", "register"), hook("party")], installed=["register"])) == ["cases", "party"]


def test_it_refuses_a_seed_that_waits_for_an_app_not_installed():
    with pytest.raises(ImproperlyConfigured, match="'enforcement' runs after \\['safety'\\]"):
        ordered([hook("cases"), hook("enforcement", "safety")], installed=["cases", "enforcement"])


def test_it_refuses_seeds_that_wait_for_each_other():
    with pytest.raises(ImproperlyConfigured, match="wait for each other"):
        ordered([hook("cases", "party"), hook("party", "cases")])
