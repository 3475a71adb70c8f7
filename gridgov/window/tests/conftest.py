"""Window personas on top of the `world`: 泊里镇's front desk (综合受理窗口), the service station of 董家口村
(代办), the world's `clerk` of 应急管理办公室 as the department that decides, a second department's approver
who does not; an item of each kind in 泊里镇 and one in 辛安街道."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.network.models import Department
from gridgov.testing import PASSWORD
from gridgov.window import services
from gridgov.window.models import Catalogue, ItemType, ServiceItem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = "11010519491231002X"


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Window:
    licence: ServiceItem  # 烟花爆竹经营（零售）许可 of 应急管理办公室, with a conditional material
    instant: ServiceItem  # 即办件
    other_item: ServiceItem  # 辛安街道's
    expired: ServiceItem
    people: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def _staff(key: str, display: str, town: Any, role: str, **scope: Any) -> User:
    u = User(username=key, display_name=display, town=town)
    u.set_password(PASSWORD)
    u.save()
    RoleAssignment.objects.create(user=u, role=role, **scope)
    return u


def make_item(town: Any, department: Any, code: str, name: str, **kw: Any) -> ServiceItem:
    item = ServiceItem.objects.create(
        town=town, catalogue=kw.pop("catalogue", Catalogue.APPROVAL), code=code, name=name,
        initials=services.initials_of(name), item_type=kw.pop("item_type", ItemType.LICENCE), department=department,
        statutory_days=kw.pop("statutory_days", 20), promised_days=kw.pop("promised_days", 10),
        valid_from=kw.pop("valid_from", timezone.localdate() - dt.timedelta(days=30)), at_station=True, **kw)
    item.questions.create(key="agent", text="是否委托他人代为办理")
    item.materials.create(name="申请人居民身份证", form="both", position=0)
    item.materials.create(name="申请表", form="original", position=1)
    item.materials.create(name="授权委托书", when_question="agent", when_answer=True, position=2)
    return item


@pytest.fixture
def window(world) -> Window:
    other_dept = Department.objects.create(town=world.town, code="D02", name="社会事务办公室")
    w = Window(
        licence=make_item(world.town, world.department, "SP0001", "烟花爆竹经营（零售）许可"),
        instant=make_item(world.town, world.department, "SP0002", "生产经营单位应急预案备案", instant=True,
                          item_type=ItemType.FILING),
        other_item=make_item(world.other_town, world.other_department, "SP0001", "辛安烟花爆竹经营许可"),
        expired=make_item(world.town, world.department, "SP0003", "已废止事项",
                          valid_from=timezone.localdate() - dt.timedelta(days=300),
                          valid_to=timezone.localdate() - dt.timedelta(days=1)),
    )
    w.people["desk"] = _staff("desk", "窗口人员壬", world.town, Role.FRONT_DESK, division=world.town)
    w.people["station"] = _staff("station", "代办员癸", world.town, Role.FRONT_DESK, division=world.village)
    w.people["other_approver"] = _staff("other_approver", "社会事务审批员", world.town, Role.APPROVER,
                                        department=other_dept)
    world.resident.phone = "13800001234"
    world.resident.save(update_fields=["phone"])
    return w


def materials_of(item: ServiceItem) -> dict[str, Any]:
    return {m.name: m for m in item.materials.all()}


def apply_online(world: Any, item: ServiceItem, **kw: Any) -> Any:
    m = materials_of(item)
    files = kw.pop("files", {m["申请人居民身份证"].pk: pdf(), m["申请表"].pk: pdf()})
    return services.application_submit(acting_user=world.resident, item=item, channel="online",
                                       answers=kw.pop("answers", {}), files=files,
                                       applicant=kw.pop("applicant", {"id_number": ID_NUMBER}), **kw)


def walk_in(w: Window, item: ServiceItem, **kw: Any) -> Any:
    return services.application_submit(
        acting_user=kw.pop("by", w.desk), item=item, channel=kw.pop("channel", "window"), answers={},
        received=[m.pk for m in item.materials.all()],
        applicant={"name": "张三", "id_number": ID_NUMBER, "phone": "13900005678"}, **kw)
