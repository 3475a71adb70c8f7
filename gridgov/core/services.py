"""The write path every app uses: `@service` (keyword-only, acting_user, atomic, audited) and helpers for
validated create/update with optimistic concurrency and the scope re-check."""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from . import audit
from .errors import Conflict, ValidationFailed
from .scope import ensure_visible

F_ = TypeVar("F_", bound=Callable[..., Any])


def service(fn: F_) -> F_:
    """Run a write in one transaction with its audit records; keyword-only and `acting_user` required."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{fn.__name__} takes keyword arguments only")
        if "acting_user" not in kwargs:
            raise TypeError(f"{fn.__name__} needs acting_user")
        for name, value in kwargs.items():
            field = with_nul(value, name) if name != "acting_user" else None
            if field is not None:  # PostgreSQL stores no NUL in text: refuse it here rather than fail there
                raise ValidationFailed({field: [_("不能包含空字符（\\0）")]})
        with write_transaction(), audit.collecting(kwargs["acting_user"]):
            return fn(**kwargs)

    return wrapper  # type: ignore[return-value]


def with_nul(value: Any, name: str) -> str | None:
    """The name of the first text in `value` (a service's argument: text, or the dicts and lists of a
    submitted form or body) that holds a NUL character, else None."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = with_nul(item, str(key))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = with_nul(item, name)
            if found is not None:
                return found
    return None


# SQLite has one writer at a time. Its busy handler polls with sleeps, so under a burst (4,000 members checking
# in within a minute) a waiter can be overtaken again and again until its timeout ends in "database is locked".
# Writers of this process therefore queue on a lock first, and a BEGIN that still finds the database locked
# (another process writing) is retried: contention waits, it does not fail. PostgreSQL queues on row locks.
_sqlite_writer = threading.Lock()
SQLITE_LOCK_WAIT = 300.0  # seconds a service may wait for the database before giving up


@contextmanager
def write_transaction() -> Iterator[None]:
    """`transaction.atomic()` for a service; on SQLite, the outermost one waits its turn to write."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    if not _sqlite_writer.acquire(timeout=SQLITE_LOCK_WAIT):
        raise OperationalError("database is locked (waited for the writers of this process)")
    try:
        while True:
            atomic = transaction.atomic()
            try:
                atomic.__enter__()  # BEGIN IMMEDIATE: takes the write lock or fails before anything ran
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                continue
            break
        try:
            yield
        except BaseException:
            if not atomic.__exit__(*sys.exc_info()):
                raise
        else:
            atomic.__exit__(None, None, None)
    finally:
        _sqlite_writer.release()


def labels_of(model: type[models.Model]) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in model._meta.fields}


def full_clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation, translated into ValidationFailed naming each field in the user's language."""
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc, labels_of(type(obj))) from None


def save_new(obj: models.Model, *, acting_user: Any, action: str = "add") -> models.Model:
    """Validate, insert, audit and re-check scope: the row must be inside the creator's scope."""
    full_clean(obj)
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        # A concurrent insert won a uniqueness race after our checks passed.
        raise ValidationFailed({"__all__": [_("与已有记录重复，请刷新后重试")]}) from None
    audit.record(obj, "create")
    ensure_visible(obj, acting_user, action)
    return obj


def update_versioned(obj: models.Model, changes: dict[str, Any], *, expected_version: int | None,
                     acting_user: Any) -> models.Model:
    """Apply `changes` if nobody changed the row since `expected_version`; one wins, the other conflicts."""
    model = type(obj)
    before = audit.snapshot(obj)
    if expected_version is not None and obj.version != expected_version:
        raise Conflict(current_version=obj.version)
    for name, value in changes.items():
        setattr(obj, name, value)
    full_clean(obj)
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields
              if not f.primary_key and f.attname != "version" and not getattr(f, "auto_now_add", False)
              and not f.generated}
    if "updated_at" in values:
        from django.utils import timezone

        values["updated_at"] = obj.updated_at = timezone.now()
    try:
        with transaction.atomic():
            rows = model._default_manager.filter(pk=obj.pk, version=obj.version).update(
                version=F("version") + 1, **values)
    except IntegrityError:
        raise ValidationFailed({"__all__": [_("与已有记录重复，请刷新后重试")]}) from None
    if rows == 0:
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise Conflict(current_version=current)
    obj.version += 1
    audit.record(obj, "update", before)
    ensure_visible(obj, acting_user, "change")
    return obj


def delete_audited(obj: models.Model, *, acting_user: Any) -> None:
    before = audit.snapshot(obj)
    pk = obj.pk
    obj.delete()
    obj.pk = pk
    audit.record(obj, "delete", before)


HOLIDAY_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "班", "工作日", "上班"})
HOLIDAY_FALSE = frozenset({"0", "false", "f", "no", "n", "否", "休", "休息日", "放假", "节假日"})


def holiday_rows(lines: Any) -> list[tuple[Any, bool, str]]:
    """The rows of a holiday table CSV (`date,is_working_day,note`; a header line and # comments skipped):
    every wrong line named at once under "file" (the page shows them under its upload field)."""
    import csv
    import datetime as dt

    rows: list[tuple[Any, bool, str]] = []
    wrong: list[str] = []
    for lineno, rec in enumerate(csv.reader(lines), start=1):
        if not rec or not "".join(rec).strip() or rec[0].strip().startswith("#"):
            continue
        if lineno == 1 and rec[0].strip().lower().lstrip("\ufeff") in ("date", "日期"):
            continue
        if len(rec) < 2:
            wrong.append(_("第 %(n)s 行：应为 日期,是否工作日[,说明]") % {"n": lineno})
            continue
        try:
            day = dt.date.fromisoformat(rec[0].strip().lstrip("\ufeff"))
        except ValueError:
            wrong.append(_("第 %(n)s 行：日期 %(v)s 应写作 YYYY-MM-DD") % {"n": lineno, "v": rec[0][:20]})
            continue
        flag = rec[1].strip().lower()
        if flag not in HOLIDAY_TRUE | HOLIDAY_FALSE:
            wrong.append(_("第 %(n)s 行：是否工作日应为 1（上班）或 0（放假），而不是 %(v)s")
                         % {"n": lineno, "v": rec[1][:20]})
            continue
        if not 2000 <= day.year <= 2100:
            wrong.append(_("第 %(n)s 行：年份应在 2000–2100 之间") % {"n": lineno})
            continue
        rows.append((day, flag in HOLIDAY_TRUE, rec[2].strip() if len(rec) > 2 else ""))
    if wrong:
        raise ValidationFailed({"file": wrong[:20]})
    if not rows:
        raise ValidationFailed({"file": [_("文件中没有日期行")]})
    return rows


@service
def workday_table_load(*, rows: list[tuple[Any, bool, str]], acting_user: Any) -> dict[str, Any]:
    """Load an official holiday table (RULES.md §2): `rows` of (date, is_working_day, note).

    The file is the whole arrangement of each year it covers: every listed date is stored, and so is every
    unlisted date where the package's estimate disagrees with "Monday–Friday work, weekends off" (an
    estimated holiday that the official table does not have). The year's previous rows are replaced.
    """
    import datetime as dt

    from . import calendar
    from .models import OfficialYear, WorkdayOverride

    listed: dict[dt.date, tuple[bool, str]] = {}
    for day, working, note in rows:
        if day in listed:
            raise ValidationFailed({"date": [f"{day} 重复"]})
        listed[day] = (bool(working), (note or "")[:50])
    years = sorted({d.year for d in listed})
    removed = 0
    for year in years:
        for old in WorkdayOverride.objects.filter(date__year=year):
            delete_audited(old, acting_user=acting_user)
            removed += 1
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day not in listed:
                standard = day.weekday() < 5
                if calendar.package_is_working_day(day) != standard:
                    listed[day] = (standard, "官方安排：工作日" if standard else "官方安排：休息日")
            day += dt.timedelta(days=1)
    objs = [WorkdayOverride(date=d, is_working_day=w, note=n) for d, (w, n) in sorted(listed.items())]
    WorkdayOverride.objects.bulk_create(objs, batch_size=500)
    audit.record_many(objs, "create", actor=acting_user)
    for year in years:  # the file is each year's whole arrangement: the years are official now
        _year_official(year, OfficialYear.Source.TABLE)
    calendar.bump_version()
    return {"years": years, "stored": len(objs), "replaced": removed}


def _year_official(year: int, source: str) -> Any:
    from .models import OfficialYear

    row, made = OfficialYear.objects.get_or_create(year=year, defaults={"source": source})
    if made:
        audit.record(row, "create")
    return row


@service
def calendar_year_mark_official(*, year: int, acting_user: Any) -> Any:
    """The administrator's word that `year`'s table (the package's, with the overrides loaded) is the official
    arrangement: its deadlines are no longer provisional."""
    from . import calendar

    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed({"year": [_("年份应在 2000–2100 之间")]})
    row = _year_official(year, "mark")
    calendar.bump_version()
    return row
