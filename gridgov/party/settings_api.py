"""API of party building's settings: the town's own points rules (the same services as the settings page)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gridgov.core.paging import CappedLimitOffset

from . import selectors, services

router = Router(tags=["party 智慧党建"])


class PointRuleOut(Schema):
    id: int
    town_id: int | None
    code: str
    category: str
    label: str
    points: int
    annual_cap: int | None
    claimable: bool
    active: bool
    version: int


class PointRuleIn(Schema):
    town: int
    code: str
    category: str
    label: str
    points: int
    annual_cap: int | None = None
    claimable: bool = False
    active: bool = True


class PointRuleUpdateIn(Schema):
    category: str
    label: str
    points: int
    annual_cap: int | None = None
    claimable: bool = False
    active: bool = True
    version: int


@router.get("/point-rules", response=list[PointRuleOut], summary="本镇街的积分规则（覆盖默认规则）")
@paginate(CappedLimitOffset)
def rule_list(request: HttpRequest):
    return selectors.point_rule_list(user=request.user)


@router.get("/point-rules/defaults", response=list[PointRuleOut], summary="默认积分规则（各镇街相同）")
def rule_defaults(request: HttpRequest):
    return list(selectors.point_rule_defaults())


@router.post("/point-rules", response={201: PointRuleOut}, summary="新增本镇街积分规则")
def rule_create(request: HttpRequest, payload: PointRuleIn):
    data = payload.dict(exclude={"town", "code"})
    return Status(201, services.point_rule_create(acting_user=request.user, town=payload.town, code=payload.code,
                                                  data=data))


@router.get("/point-rules/{pk}", response=PointRuleOut, summary="本镇街积分规则")
def rule_get(request: HttpRequest, pk: int):
    return selectors.point_rule_get(user=request.user, pk=pk)


@router.put("/point-rules/{pk}", response=PointRuleOut, summary="修改本镇街积分规则")
def rule_update(request: HttpRequest, pk: int, payload: PointRuleUpdateIn):
    rule = selectors.point_rule_get(user=request.user, pk=pk)
    return services.point_rule_update(acting_user=request.user, rule=rule, data=payload.dict(exclude={"version"}),
                                      expected_version=payload.version)


@router.delete("/point-rules/{pk}", response={204: None}, summary="删除本镇街积分规则（恢复默认）")
def rule_delete(request: HttpRequest, pk: int):
    rule = selectors.point_rule_get(user=request.user, pk=pk)
    services.point_rule_delete(acting_user=request.user, rule=rule)
    return Status(204, None)
