"""API of core's shared mechanisms: GET /api/v1/inbox, the work waiting for the signed-in user (我的待办)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .flow import inbox as selectors

PREFIX = "/inbox"
router = Router(tags=["我的待办"])


class InboxItemOut(Schema):
    source: str = Field(description="记录类型（app_label.model）")
    id: int
    kind: str = Field(description="类型名称（网格事件、群众诉求……）")
    number: str
    title: str
    stage: str = Field(description="当前环节")
    url: str
    deadline: dt.datetime | None = Field(description="本环节时限")
    overdue: bool


class InboxOut(Schema):
    count: int = Field(description="待办总数（最多计到 cap+1）")
    items: list[InboxItemOut]


@router.get("", response=InboxOut, summary="我的待办：等待当前用户处理的全部事项，已超期的在前")
def inbox(request: HttpRequest, offset: int = Query(0, ge=0, le=1_000_000),
          limit: int = Query(50, ge=1, le=200)) -> dict:
    return {"count": selectors.inbox_count(user=request.user),
            "items": selectors.inbox_items(user=request.user, offset=offset, limit=limit)}
