"""API of the Open311 clients (the administrator's settings; GeoReport v2 itself is at /open311/v2/)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.scope import get_scoped

from . import services
from .models import Client

router = Router(tags=["open311"])


class Open311ClientOut(Schema):
    id: int
    name: str
    contact: str
    town_id: int | None
    key_prefix: str
    active: bool
    last_used_at: datetime | None
    version: int


class Open311ClientKeyOut(Open311ClientOut):
    api_key: str  # shown once: only its hash is kept


class Open311ClientIn(Schema):
    town: int
    name: str
    contact: str = ""


class Open311ClientUpdateIn(Schema):
    name: str | None = None
    contact: str | None = None
    active: bool | None = None
    version: int


def _with_key(client: Client, key: str) -> dict:
    return {**Open311ClientOut.from_orm(client).dict(), "api_key": key}


@router.get("/clients", response=list[Open311ClientOut], summary="Open311 客户端（管理员，本镇街）")
def client_list(request: HttpRequest):
    return list(Client.objects.restrict(request.user, "change").order_by("name"))


@router.post("/clients", response={201: Open311ClientKeyOut}, summary="新增 Open311 客户端（返回的 api_key 只显示一次）")
def client_create(request: HttpRequest, payload: Open311ClientIn):
    from gridgov.network.selectors import towns_for_change

    town = towns_for_change(user=request.user).filter(pk=payload.town).first()
    if town is None:
        if not towns_for_change(user=request.user).exists():
            raise PermissionDenied()
        raise ValidationFailed({"town": ["请选择本人管理的镇街"]})
    client, key = services.open311_client_create(acting_user=request.user, town=town, name=payload.name,
                                                 contact=payload.contact)
    return Status(201, _with_key(client, key))


@router.get("/clients/{pk}", response=Open311ClientOut, summary="Open311 客户端详情")
def client_get(request: HttpRequest, pk: int):
    return get_scoped(Client.objects, request.user, "change", pk=pk)


@router.patch("/clients/{pk}", response=Open311ClientOut, summary="修改 Open311 客户端（名称、联系人、启用）")
def client_update(request: HttpRequest, pk: int, payload: Open311ClientUpdateIn):
    client = get_scoped(Client.objects, request.user, "change", pk=pk)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    return services.open311_client_update(acting_user=request.user, client=client, data=data,
                                          expected_version=payload.version)


@router.post("/clients/{pk}/rotate", response=Open311ClientKeyOut, summary="更换密钥（旧密钥立即失效；新密钥只显示一次）")
def client_rotate(request: HttpRequest, pk: int):
    client = get_scoped(Client.objects, request.user, "change", pk=pk)
    key = services.open311_client_rotate(acting_user=request.user, client=client)
    return _with_key(client, key)
