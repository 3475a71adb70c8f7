"""Fast multi-row INSERT for bulk work (imports, the audit chain): what `bulk_create` does, minus the per-value
compiler work that dominates 100,000-row imports.

One `INSERT … VALUES (…), (…) … RETURNING id` per chunk, on SQLite (≥ 3.35) and PostgreSQL alike. Values are
prepared once per column where they are the same for every row (auto_now timestamps) and with the field's own
`get_db_prep_save` only for the column types that need it (dates, JSON); plain text, numbers and booleans go
to the driver as they are. Objects get their primary keys, as after `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

# SQLite's default limit of bound variables since 3.32 is 32766; PostgreSQL's protocol allows 65535.
MAX_PARAMS = 30_000
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField,
          models.ForeignKey, models.BigAutoField, models.AutoField)
_DATES = (models.DateField, models.TimeField)  # DateTimeField is a DateField


def can_fast_insert(model: type[models.Model], objs: Sequence[models.Model]) -> bool:
    """Whether `fast_insert` fits: an auto primary key left to the database, no multi-table inheritance."""
    meta = model._meta
    return (isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
            and not meta.parents and all(o.pk is None for o in objs))


def fast_insert(model: type[models.Model], objs: Sequence[models.Model], *, returning: bool = True,
                keep_times: bool = False) -> None:
    """Insert `objs` (new, unsaved) and set their primary keys. Must run inside a transaction.

    `keep_times`: auto_now / auto_now_add fields keep a time already set on the object (history being
    loaded, e.g. the demo's year of cases); unset ones get now."""
    if not objs:
        return
    if connection.vendor not in ("sqlite", "postgresql"):
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk and not f.generated]  # the database computes those
    now = timezone.now()
    # As bulk_create does: a related object saved after this one was built lends its new key to the FK column.
    relations = [f for f in fields if f.many_to_one]
    if relations:
        for o in objs:
            cache = o._state.fields_cache
            if cache:
                for f in relations:
                    rel = cache.get(f.cache_name)
                    if rel is not None and getattr(o, f.attname) is None:
                        if rel.pk is None:
                            raise ValueError(f"fast_insert of {model.__name__}: related {f.name} is not saved")
                        setattr(o, f.attname, rel.pk)
    # Each row starts as the tuple of its raw attribute values (one C-level attrgetter call); only the columns
    # that need the field's own preparation are converted afterwards.
    convert: list[tuple[int, Any]] = []
    for i, f in enumerate(fields):
        auto_now = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if auto_now and keep_times:
            for o in objs:
                if getattr(o, f.attname) is None:
                    setattr(o, f.attname, now)
            convert.append((i, lambda v, f=f: f.get_db_prep_save(v, connection)))
        elif auto_now:
            for o in objs:
                setattr(o, f.attname, now)
            value = f.get_db_prep_save(now, connection)
            convert.append((i, lambda _v, v=value: v))
        elif isinstance(f, _PLAIN) and not isinstance(f, models.DecimalField):
            continue
        elif type(f).pre_save is models.Field.pre_save or isinstance(f, _DATES):
            # pre_save returns the attribute as it is (date fields without auto_now): convert the value alone.
            convert.append((i, lambda v, f=f: f.get_db_prep_save(v, connection)))
        else:
            convert.append((i, f))
    get_row = attrgetter(*(f.attname for f in fields))
    single = len(fields) == 1
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_chunk = max(1, MAX_PARAMS // len(fields))
    suffix = f" RETURNING {qn(pk.column)}" if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_chunk):
            chunk = objs[start:start + per_chunk]
            params: list[Any] = []
            for o in chunk:
                row = get_row(o)
                if single:
                    row = [row]
                if convert:
                    row = list(row)
                    for i, c in convert:
                        row[i] = (c.get_db_prep_save(c.pre_save(o, True), connection)
                                  if isinstance(c, models.Field) else c(row[i]))
                params.extend(row)
            sql = (f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "
                   + ", ".join([row_sql] * len(chunk)) + suffix)
            cursor.execute(sql, params)
            if returning:
                for o, (pk_value,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(o, pk.attname, pk_value)
                    o._state.adding = False
                    o._state.db = connection.alias
