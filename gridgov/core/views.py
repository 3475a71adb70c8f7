"""Pages of core's shared mechanisms: 我的待办 (the inbox of every flow)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .flow import inbox as selectors

PAGE_SIZE = 50
COUNT_CAP = 999


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    rows = selectors.inbox_items(user=request.user, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    total = selectors.inbox_count(user=request.user, cap=COUNT_CAP)
    return render(request, "core/inbox.html", {
        "rows": rows[:PAGE_SIZE], "number": number, "more": len(rows) > PAGE_SIZE,
        "total": total, "capped": total > COUNT_CAP, "cap": COUNT_CAP})
