"""API of the case engine's settings: the town's dispatch rules and its own handling limits (the same services
as the settings pages), mounted on the cases router."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gridgov.core.paging import CappedLimitOffset

from . import selectors, services

router = Router(tags=["cases 事件与诉求"])


class DispatchRuleOut(Schema):
    id: int
    town_id: int
    category_id: int | None
    area_id: int | None
    department_id: int | None
    pro_category: str
    priority: int


class DispatchRuleIn(Schema):
    town: int
    category: int | None = None
    area: int | None = None
    department: int | None = None
    pro_category: str = ""
    priority: int = 100


class DispatchRuleUpdateIn(Schema):
    category: int | None = None
    area: int | None = None
    department: int | None = None
    pro_category: str = ""
    priority: int = 100


class CategoryLimitOut(Schema):
    id: int
    town_id: int
    category_id: int
    deadline_amount: int
    deadline_unit: str


class CategoryLimitIn(Schema):
    town: int
    category: int
    deadline_amount: int
    deadline_unit: Literal["hours", "days"]


@router.get("/dispatch-rules", response=list[DispatchRuleOut], summary="派遣规则（本镇街）")
@paginate(CappedLimitOffset)
def rule_list(request: HttpRequest):
    return selectors.dispatch_rule_list(user=request.user)


@router.post("/dispatch-rules", response={201: DispatchRuleOut}, summary="新增派遣规则")
def rule_create(request: HttpRequest, payload: DispatchRuleIn):
    data = payload.dict(exclude={"town"})
    return Status(201, services.dispatch_rule_create(acting_user=request.user, town=payload.town, data=data))


@router.get("/dispatch-rules/{pk}", response=DispatchRuleOut, summary="派遣规则")
def rule_get(request: HttpRequest, pk: int):
    return selectors.dispatch_rule_get(user=request.user, pk=pk)


@router.put("/dispatch-rules/{pk}", response=DispatchRuleOut, summary="修改派遣规则（整条替换）")
def rule_update(request: HttpRequest, pk: int, payload: DispatchRuleUpdateIn):
    rule = selectors.dispatch_rule_get(user=request.user, pk=pk)
    return services.dispatch_rule_update(acting_user=request.user, rule=rule, data=payload.dict())


@router.delete("/dispatch-rules/{pk}", response={204: None}, summary="删除派遣规则")
def rule_delete(request: HttpRequest, pk: int):
    rule = selectors.dispatch_rule_get(user=request.user, pk=pk)
    services.dispatch_rule_delete(acting_user=request.user, rule=rule)
    return Status(204, None)


@router.get("/category-limits", response=list[CategoryLimitOut], summary="本镇街的类别处置时限")
@paginate(CappedLimitOffset)
def limit_list(request: HttpRequest):
    return selectors.category_limit_list(user=request.user)


@router.put("/category-limits", response=CategoryLimitOut, summary="设定本镇街某类别的处置时限（新增或修改）")
def limit_set(request: HttpRequest, payload: CategoryLimitIn):
    return services.category_limit_set(acting_user=request.user, town=payload.town, category=payload.category,
                                       deadline_amount=payload.deadline_amount, deadline_unit=payload.deadline_unit)


@router.get("/category-limits/{pk}", response=CategoryLimitOut, summary="本镇街的类别处置时限")
def limit_get(request: HttpRequest, pk: int):
    return selectors.category_limit_get(user=request.user, pk=pk)


@router.delete("/category-limits/{pk}", response={204: None}, summary="恢复类别的默认处置时限")
def limit_delete(request: HttpRequest, pk: int):
    limit = selectors.category_limit_get(user=request.user, pk=pk)
    services.category_limit_delete(acting_user=request.user, limit=limit)
    return Status(204, None)
