"""The dynamic four-colour rating (RULES.md §5 [design]): inherent risk adjusted by the last 12 months —
open hazards, overdue ones, major ones, repeat findings, accidents and penalties — weighed by the town's
rules into a score, a colour and a supervision class; each change kept with its reason in words.

Set-based: one grouped SELECT of the hazards, one of the incidents and one of the profiles for any number of
enterprises, the arithmetic over those tuples, then one UPDATE … FROM (VALUES …) per batch of changed rows and
one bulk INSERT of the history. A rules change re-rates a whole town (bench/bench_safety.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    COLOUR_RANK,
    COLOUR_WORD,
    Colour,
    Hazard,
    HazardLevel,
    Incident,
    RatingChange,
    SafetyProfile,
)
from .rules import CLASS_OF, rules_for

WINDOW = dt.timedelta(days=365)
BATCH = 2000


@dataclass(frozen=True)
class Counts:
    n_open: int = 0
    n_overdue: int = 0
    n_major: int = 0
    n_major_overdue: int = 0
    n_repeat: int = 0
    n_incident: int = 0


def score_of(inherent_colour: str, c: Counts, rules: Any) -> tuple[int, str]:
    """(score, colour). A 重大隐患 not yet closed keeps the colour at orange at least; one overdue makes it red."""
    base = {Colour.BLUE: 0, Colour.YELLOW: rules.base_yellow, Colour.ORANGE: rules.base_orange,
            Colour.RED: rules.base_red}.get(inherent_colour, 0)
    score = (base + rules.w_open * c.n_open + rules.w_overdue * c.n_overdue + rules.w_major * c.n_major
             + rules.w_repeat * c.n_repeat + rules.w_incident * c.n_incident)
    colour = (Colour.RED if score >= rules.score_red else Colour.ORANGE if score >= rules.score_orange
              else Colour.YELLOW if score >= rules.score_yellow else Colour.BLUE)
    if c.n_major_overdue:
        colour = Colour.RED
    elif c.n_major and COLOUR_RANK[colour] < COLOUR_RANK[Colour.ORANGE]:
        colour = Colour.ORANGE
    return score, colour


def explain(colour: str, inherent_colour: str, c: Counts) -> str:
    """The colour in words: "橙色：2 项隐患逾期未整改、1 项重大隐患…"."""
    parts = []
    if c.n_overdue:
        parts.append(_("%(n)d 项隐患逾期未整改") % {"n": c.n_overdue})
    if c.n_major:
        parts.append(_("%(n)d 项重大隐患") % {"n": c.n_major})
    others = c.n_open - c.n_overdue
    if others > 0:
        parts.append(_("%(n)d 项隐患整改中") % {"n": others})
    if c.n_repeat:
        parts.append(_("%(n)d 项重复隐患") % {"n": c.n_repeat})
    if c.n_incident:
        parts.append(_("%(n)d 起事故或行政处罚") % {"n": c.n_incident})
    if not parts:
        parts.append(_("近 12 个月无未整改隐患"))
    parts.append(_("固有风险%(c)s") % {"c": COLOUR_WORD[Colour(inherent_colour)]})
    return _("%(c)s：%(why)s") % {"c": COLOUR_WORD[Colour(colour)], "why": "、".join(parts)}


def counts_of(profile: SafetyProfile) -> Counts:
    return Counts(profile.n_open, profile.n_overdue, profile.n_major, 0, profile.n_repeat, profile.n_incident)


def _where(profile_ids: list[int] | None, town_ids: list[int] | None, prefix: str = "") -> Q:
    if profile_ids is not None:
        return Q(**{f"{prefix}id__in" if prefix == "" else f"{prefix}_id__in": profile_ids})
    return Q(**{f"{prefix}__town_id__in" if prefix else "town_id__in": town_ids})


def recompute(*, profile_ids: list[int] | None = None, town_ids: list[int] | None = None, trigger: str,
              now: dt.datetime | None = None) -> int:
    """Re-rate the enterprises named (by profile or by town); returns how many changed colour or class."""
    assert (profile_ids is None) != (town_ids is None)
    now = now or timezone.now()
    since = now - WINDOW
    open_q = Q(status="open")
    late = open_q & (Q(deadline__lt=now) | Q(overdue=True))
    hazards = (Hazard._base_manager.filter(_where(profile_ids, town_ids, "profile"))
               .filter(open_q | Q(found_at__gte=since)).values("profile_id").order_by()
               .annotate(n_open=Count("id", filter=open_q), n_overdue=Count("id", filter=late),
                         n_major=Count("id", filter=Q(level=HazardLevel.MAJOR)),
                         n_major_overdue=Count("id", filter=late & Q(level=HazardLevel.MAJOR)),
                         n_repeat=Count("id", filter=Q(is_repeat=True, found_at__gte=since))))
    by_profile = {r["profile_id"]: r for r in hazards}
    incidents = dict(Incident._base_manager.filter(_where(profile_ids, town_ids, "profile"),
                                                   occurred_on__gte=since.date())
                     .values("profile_id").order_by().annotate(n=Count("id")).values_list("profile_id", "n"))
    profiles = list(SafetyProfile._base_manager.filter(_where(profile_ids, town_ids)).values_list(
        "id", "town_id", "inherent_colour", "colour", "supervision_class", "score", "n_open", "n_overdue",
        "n_major", "n_repeat", "n_incident"))
    rules = rules_for(p[1] for p in profiles)
    updates: list[tuple[Any, ...]] = []
    history: list[RatingChange] = []
    for pid, town_id, inherent_colour, colour, klass, score, *old in profiles:
        h = by_profile.get(pid)
        c = Counts(h["n_open"], h["n_overdue"], h["n_major"], h["n_major_overdue"], h["n_repeat"],
                   incidents.get(pid, 0)) if h else Counts(n_incident=incidents.get(pid, 0))
        new_score, new_colour = score_of(inherent_colour, c, rules[town_id])
        new_class = CLASS_OF[Colour(new_colour)]
        fresh = (new_score, c.n_open, c.n_overdue, c.n_major, c.n_repeat, c.n_incident)
        if fresh == (score, *old) and new_colour == colour and new_class == klass:
            continue
        updates.append((pid, new_colour, str(new_class), *fresh))
        if new_colour != colour or new_class != klass:
            history.append(RatingChange(profile_id=pid, time=now, colour_before=colour, colour=new_colour,
                                        class_before=klass, supervision_class=new_class, score=new_score,
                                        trigger=trigger[:40], reason=explain(new_colour, inherent_colour, c)[:300]))
    for start in range(0, len(updates), BATCH):
        _write(updates[start:start + BATCH], now)
    if history:
        RatingChange.objects.bulk_create(history, batch_size=BATCH)
    return len(history)


def _write(rows: list[tuple[Any, ...]], now: dt.datetime) -> None:
    """One UPDATE … FROM (VALUES …) for a batch (PostgreSQL and SQLite ≥ 3.33 alike)."""
    table = connection.ops.quote_name(SafetyProfile._meta.db_table)
    cols = ("id", "colour", "supervision_class", "score", "n_open", "n_overdue", "n_major", "n_repeat", "n_incident")
    pg = connection.vendor == "postgresql"
    casts = ("::bigint", "::varchar", "::varchar", "::integer", "::integer", "::integer", "::integer", "::integer",
             "::integer") if pg else ("",) * len(cols)
    one = "(" + ", ".join(f"%s{c}" for c in casts) + ")"
    values = ", ".join([one] * len(rows))
    sets = ", ".join(f"{c} = v.{c}" for c in cols[1:])
    sql = (f"WITH v ({', '.join(cols)}) AS (VALUES {values}) "
           f"UPDATE {table} SET {sets}, rated_at = %s FROM v WHERE {table}.id = v.id")
    params: list[Any] = [x for r in rows for x in r]
    params.append(connection.ops.adapt_datetimefield_value(now))
    with connection.cursor() as cur:
        cur.execute(sql, params)
