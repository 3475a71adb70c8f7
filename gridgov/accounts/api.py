"""API of accounts: the administrator's staff accounts and their roles (the same services as the pages)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gridgov.core.paging import CappedLimitOffset

from . import selectors, services

router = Router(tags=["accounts 人员与角色"])


class AssignmentOut(Schema):
    id: int
    user_id: int
    role: str
    division_id: int | None
    department_id: int | None
    category: str


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    town_id: int | None
    is_active: bool


class StaffIn(Schema):
    town: int
    username: str
    display_name: str
    password: str
    phone: str = ""


class StaffUpdateIn(Schema):
    display_name: str | None = None
    phone: str | None = None
    is_active: bool | None = None
    password: str | None = None


class AssignmentIn(Schema):
    role: str
    division: int | None = None
    department: int | None = None
    category: str = ""


@router.get("/staff", response=list[StaffOut], summary="工作人员列表（管理员，本镇街）")
@paginate(CappedLimitOffset)
def staff_list(request: HttpRequest, q: str = "", role: str = ""):
    return selectors.staff_list(user=request.user, q=q[:50], role=role)


@router.post("/staff", response={201: StaffOut}, summary="新增工作人员账号")
def staff_create(request: HttpRequest, payload: StaffIn):
    return Status(201, services.staff_create(acting_user=request.user, town=payload.town,
                                             username=payload.username, display_name=payload.display_name,
                                             password=payload.password, phone=payload.phone))


@router.get("/staff/{pk}", response=StaffOut, summary="工作人员账号")
def staff_get(request: HttpRequest, pk: int):
    return selectors.staff_get(user=request.user, pk=pk)


@router.patch("/staff/{pk}", response=StaffOut, summary="修改工作人员（姓名、手机号、停用、重置密码）")
def staff_update(request: HttpRequest, pk: int, payload: StaffUpdateIn):
    user = selectors.staff_get(user=request.user, pk=pk)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.staff_update(acting_user=request.user, user=user, data=data)


@router.get("/staff/{pk}/roles", response=list[AssignmentOut], summary="工作人员的角色")
def staff_roles(request: HttpRequest, pk: int):
    user = selectors.staff_get(user=request.user, pk=pk)
    return list(selectors.assignment_list(user=request.user, holder=user))


@router.post("/staff/{pk}/roles", response={201: AssignmentOut}, summary="给工作人员添加角色（区域或部门二选一）")
def staff_role_add(request: HttpRequest, pk: int, payload: AssignmentIn):
    user = selectors.staff_get(user=request.user, pk=pk)
    return Status(201, services.role_assign(acting_user=request.user, user=user, role=payload.role,
                                            division=payload.division, department=payload.department,
                                            category=payload.category))


@router.delete("/roles/{pk}", response={204: None}, summary="撤销角色")
def role_revoke(request: HttpRequest, pk: int):
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    services.role_revoke(acting_user=request.user, assignment=assignment)
    return Status(204, None)
