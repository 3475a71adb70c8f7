"""Fast multi-row INSERT for bulk work (imports, the audit chain): what `bulk_create` does, minus the per-value
compiler work that dominates 100,000-row imports.

One `INSERT … VALUES (…), (…) … RETURNING id` per chunk, on SQLite (≥ 3.35) and PostgreSQL alike. Values are
prepared once per column where they are the same for every row (auto_now timestamps) and with the field's own
`get_db_prep_save` only for the column types that need it (dates, JSON); plain text, numbers and booleans go
to the driver as they are. Objects get their primary keys, as after `bulk_create`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

# SQLite's default limit of bound variables since 3.32 is 32766; PostgreSQL's protocol allows 65535.
_MAX_PARAMS = 30_000
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField,
          models.ForeignKey, models.BigAutoField, models.AutoField)


def fast_insert(model: type[models.Model], objs: Sequence[models.Model], *, returning: bool = True) -> None:
    """Insert `objs` (new, unsaved) and set their primary keys. Must run inside a transaction."""
    if not objs:
        return
    if connection.vendor not in ("sqlite", "postgresql"):
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    now = timezone.now()
    getters: list[Any] = []
    for f in fields:
        auto_now = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if auto_now:
            for o in objs:
                setattr(o, f.attname, now)
            value = f.get_db_prep_save(now, connection)
            getters.append(lambda o, v=value: v)
        elif isinstance(f, _PLAIN) and not isinstance(f, models.DecimalField):
            getters.append(lambda o, a=f.attname: getattr(o, a))
        else:
            getters.append(lambda o, f=f: f.get_db_prep_save(f.pre_save(o, True), connection))
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_chunk = max(1, _MAX_PARAMS // len(fields))
    suffix = f" RETURNING {qn(pk.column)}" if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_chunk):
            chunk = objs[start:start + per_chunk]
            params: list[Any] = []
            for o in chunk:
                params.extend(g(o) for g in getters)
            sql = (f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "
                   + ", ".join([row_sql] * len(chunk)) + suffix)
            cursor.execute(sql, params)
            if returning:
                for o, (pk_value,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(o, pk.attname, pk_value)
                    o._state.adding = False
                    o._state.db = connection.alias
