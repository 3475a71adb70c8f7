"""Case personas on top of the shared world: the 指挥中心 dispatcher (a town-scoped administrator), a
professional grid worker for 安全生产, and a small category tree with dispatch rules."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import ProCategory, Role
from gridgov.cases.models import Category, DispatchRule
from gridgov.testing import PASSWORD


@pytest.fixture(autouse=True)
def _outbox(settings):
    from gridgov.cases import notifications

    settings.GRIDGOV_NOTIFY_BACKENDS = ["gridgov.cases.notifications.outbox_backend"]
    notifications.OUTBOX.clear()
    yield notifications.OUTBOX


@pytest.fixture
def cats(world):
    env = Category.objects.create(code="01", name="市容环境")
    cats = {
        "env": env,
        "illegal_building": Category.objects.create(code="0101", name="私搭乱建", parent=env, deadline_amount=15,
                                                    deadline_unit="days", department_name="应急管理办公室"),
        "garbage": Category.objects.create(code="0102", name="暴露垃圾", parent=env, deadline_amount=4,
                                           deadline_unit="hours", department_name="应急管理办公室"),
    }
    safety = Category.objects.create(code="05", name="安全隐患")
    cats["gas"] = Category.objects.create(code="0501", name="燃气隐患", parent=safety, deadline_amount=2,
                                          deadline_unit="days", pro_category=ProCategory.SAFETY)
    DispatchRule.objects.create(town=world.town, category=env, department=world.department)
    return cats


def _staff(world, key: str, display: str, role: str, division=None, department=None, category: str = "") -> User:
    u = User(username=key, display_name=display, kind=User.Kind.STAFF, town=world.town)
    u.set_password(PASSWORD)
    u.save()
    RoleAssignment.objects.create(user=u, role=role, division=division, department=department, category=category)
    world.people[key] = u
    return u


@pytest.fixture
def case_world(world, cats):
    """The world plus the dispatcher (指挥中心调度员) and a safety pro worker (专业网格员·安全生产)."""
    _staff(world, "dispatcher", "指挥中心调度员", Role.ADMIN, division=world.town)
    _staff(world, "pro_safety", "安全专业网格员", Role.PRO_WORKER, division=world.town, category=ProCategory.SAFETY)
    world.cats = cats
    return world


@pytest.fixture
def report(case_world):
    """report(user_key, **data) → a new case reported at grid A by that persona (None: anonymous)."""
    from gridgov.cases.services import case_report

    def make(key: str | None = "worker_a", **data):
        user = case_world.people[key] if key else None
        lat, lon = case_world.point_a
        body = {"category": "0102", "lat": lat, "lon": lon, "description": "路口有垃圾", "force_new": True}
        body.update(data)
        return case_report(acting_user=user, data=body).case

    return make


@pytest.fixture
def operator(case_world):
    """The 12345 operator: the town's 综合受理窗口 (front desk), who enters phone complaints."""
    return _staff(case_world, "operator", "话务员壬", Role.FRONT_DESK, division=case_world.town)
