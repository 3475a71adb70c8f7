"""Home page blocks of the case engine: the user's work queues with 上报事件 (their to-dos), and for the town's
leaders a glance at the cases and this month's indicators."""

from __future__ import annotations

from gridgov.accounts.homepage import CASE_QUEUES, CASE_SUMMARY, Block, Home

from . import permissions
from .selectors import queue_counts, town_summary


def blocks(home: Home) -> list[Block]:
    if not home.assignments:  # residents and enterprises report through the menu's 我要上报
        return []
    out = []
    # The case work first: on a phone the menu's 事件办理 and 我要上报 sit off-screen in its scrolling strip.
    queues, can_report = queue_counts(user=home.user), permissions.may(home.user, "add")
    if queues or can_report:
        out.append(Block(CASE_QUEUES, "cases/home/queues.html", {"case_queues": queues, "can_report": can_report}))
    if home.leads_town:
        summary = town_summary(user=home.user)
        if summary is not None:
            out.append(Block(CASE_SUMMARY, "cases/home/summary.html", {"case_summary": summary}))
    return out
