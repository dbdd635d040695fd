# ruff: noqa: S608  (SQL is built from quoted model table/column names only; values are parameters)
"""The database side of an import, one implementation per engine.

PostgreSQL: natural keys are matched with one join against ``unnest()`` arrays; new rows get ids
from the table's sequence in one statement, are COPYed (psycopg 3) into a TEMP staging table and
moved with one ``INSERT … SELECT``; changes are COPYed into another staging table and applied with
one ``UPDATE … FROM``. SQLite: the same statements with ``json_each()`` for the keys and batched
``executemany``. Everything runs inside the caller's transaction.
"""

import datetime as dt
import json
from decimal import Decimal
from itertools import count

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

_stage_names = count(1)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def concrete(model, attname: str) -> models.Field:
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


# --- values to and from the database ----------------------------------------------------------

def _json_dump(v):
    return v if isinstance(v, str) else json.dumps(v, cls=DjangoJSONEncoder, ensure_ascii=False)


def to_db(field: models.Field):
    """A fast per-cell converter for writing ``field`` (None: the value goes as it is)."""
    pg = is_postgres()
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else _json_dump(v)
    if pg:
        return None
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else int(v)
    return None


def from_db(field: models.Field):
    """A per-cell converter for values read with raw SQL (SQLite returns text and numbers)."""
    if is_postgres():
        if isinstance(field, models.JSONField):
            return lambda v: json.loads(v) if isinstance(v, str) else v
        return None
    if isinstance(field, models.DateTimeField):
        return None
    if isinstance(field, models.DateField):
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else Decimal(repr(v) if isinstance(v, float) else str(v))
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.loads(v)
    return None


def _key_param(v):
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


# --- reads ----------------------------------------------------------------------------------------

def analyze(model) -> None:
    """Refresh the planner's statistics of ``model``'s table after a large import (PostgreSQL; inside the
    transaction, the rows it wrote count). Autovacuum would do it later, or never where it is off."""
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {_q(model._meta.db_table)}")


def tune_transaction() -> None:
    """Settings for the import's transaction (PostgreSQL): no JIT compilation (its start-up cost, tens of
    milliseconds per statement, dwarfs the short index-driven statements an import runs); foreign keys
    checked at the end of each statement rather than all at commit (Django declares them DEFERRABLE
    INITIALLY DEFERRED: a million rows would queue four million checks for the commit, which run slower
    there than batch by batch; every reference is resolved before it is written, so nothing depends on
    deferral). :func:`untune_transaction` puts the checks back to deferred."""
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def untune_transaction() -> None:
    if is_postgres():
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


_SEP = "\x1f"  # the ASCII unit separator: not something people type in a spreadsheet cell


def unnest_keys(types: list[str], keys) -> tuple[str, list]:
    """``unnest(…) AS k(k0, k1, …)`` over the key tuples ``keys`` (PostgreSQL), with its parameters.

    Each column travels as one string split on the server (``string_to_array``): building it is a join in
    C, where an array parameter costs a Python loop per element. A column whose values contain the
    separator goes as an ordinary array parameter."""
    parts, params = [], []
    columns = list(zip(*keys, strict=True)) if keys else [() for _t in types]
    for values, sql_type in zip(columns, types, strict=True):
        base = sql_type.split("(")[0]
        joined = _SEP.join(map(str, values))
        if joined.count(_SEP) == len(values) - 1:
            parts.append(f"string_to_array(%s, chr(31))::{base}[]")
            params.append(joined)
        else:
            parts.append(f"%s::{base}[]")
            params.append(list(values))
    names = ", ".join(f"k{i}" for i in range(len(types)))
    return f"unnest({', '.join(parts)}) AS k({names})", params


def fetch_by_keys(model, key: tuple[str, ...], keys: list[tuple], columns: list[str]) -> dict[tuple, tuple]:
    """Existing rows whose ``key`` attnames equal one of ``keys``: key tuple → (id, *columns)."""
    if not keys:
        return {}
    table = _q(model._meta.db_table)
    fields = [concrete(model, a) for a in key]
    cols = ", ".join(f"t.{_q(c)}" for c in ("id", *key, *columns))
    with connection.cursor() as cur:
        if is_postgres():
            source, params = unnest_keys([f.db_type(connection) for f in fields], keys)
            on = " AND ".join(f"t.{_q(a)} = k.k{i}" for i, a in enumerate(key))
            # Keys are never empty: saying so lets partial unique indexes (WHERE col <> '') serve the join.
            on += "".join(f" AND t.{_q(f.column)} <> ''" for f in fields if isinstance(f, models.CharField))
            # One index probe per key (LATERAL … OFFSET 0 keeps the planner from flattening it into a hash or
            # merge join over the whole table, which it picks while the table grows inside the import).
            inner = ", ".join(f"t.{_q(c)} AS c{i}" for i, c in enumerate(("id", *key, *columns)))
            outer = ", ".join(f"t.c{i}" for i in range(1 + len(key) + len(columns)))
            cur.execute(f"SELECT {outer} FROM {source} "
                        f"CROSS JOIN LATERAL (SELECT {inner} FROM {table} t WHERE {on} OFFSET 0) t", params)
            rows = cur.fetchall()
        else:
            on = " AND ".join(f"t.{_q(a)} = json_extract(k.value, '$[{i}]')" for i, a in enumerate(key))
            on += "".join(f" AND t.{_q(f.column)} <> ''" for f in fields if isinstance(f, models.CharField))
            payload = json.dumps([[_key_param(v) for v in k] for k in keys])
            cur.execute(f"SELECT {cols} FROM {table} t JOIN json_each(%s) k ON {on}", [payload])
            rows = cur.fetchall()
    n = len(key)
    convert = [from_db(concrete(model, a)) for a in (*key, *columns)]
    if not any(convert):
        return {r[1:n + 1]: (r[0], *r[n + 1:]) for r in rows}
    result = {}
    for r in rows:
        vals = [c(v) if c else v for c, v in zip(convert, r[1:], strict=True)]
        result[tuple(vals[:n])] = (r[0], *vals[n:])
    return result


# --- writes ---------------------------------------------------------------------------------------

def _cursor(raw):
    """A cursor: Django's for this thread's connection, or one of ``raw`` — the psycopg connection of the
    importing thread, used by its writer thread (same session, same transaction)."""
    return connection.cursor() if raw is None else raw.cursor()


def _copy(cur, sql: str):
    return getattr(cur, "cursor", cur).copy(sql)  # Django's wrapper keeps psycopg's cursor in ``.cursor``


def allocate_ids(model, n: int, raw=None) -> list[int]:
    """``n`` new primary keys, taken from the table's sequence (PostgreSQL) or after the largest (SQLite,
    whose write lock the transaction already holds)."""
    if n == 0:
        return []
    table = model._meta.db_table
    with _cursor(raw) as cur:
        if is_postgres():
            # The sequence is looked up once: inside the SELECT, pg_get_serial_sequence() would run per row.
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [cur.fetchone()[0], n])
            return sorted(r[0] for r in cur.fetchall())
        cur.execute(f"SELECT max(id) FROM {_q(table)}")
        top = cur.fetchone()[0] or 0
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + n))


def _stage(cur, model, columns: list[str], rows: list[tuple]) -> str:
    name = f"doluong_import_stage_{next(_stage_names)}"
    cols = ", ".join(_q(c) for c in columns)
    cur.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {cols} FROM {_q(model._meta.db_table)} "
                f"WITH NO DATA")
    with _copy(cur, f"COPY {name} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return name


def insert_rows(model, columns: list[str], rows: list[tuple], constants: list[tuple] = (), raw=None) -> None:
    """Insert ``rows`` (tuples in ``columns`` order, ``id`` included); ``constants`` are (field, value) pairs
    whose value is the same for every row (sent once, not per row). ``raw``: see :func:`_cursor`."""
    if not rows:
        return
    table = _q(model._meta.db_table)
    all_cols = ", ".join(_q(c) for c in [*columns, *(f.column for f, _v in constants)])
    with _cursor(raw) as cur:
        if is_postgres():
            stage = _stage(cur, model, columns, rows)
            cols = ", ".join(_q(c) for c in columns)
            consts = "".join(f", %s::{f.db_type(connection)}" for f, _v in constants)
            cur.execute(f"INSERT INTO {table} ({all_cols}) SELECT {cols}{consts} FROM {stage}",
                        [v for _f, v in constants])
            cur.execute(f"DROP TABLE {stage}")
        else:
            marks = ", ".join(["%s"] * (len(columns) + len(constants)))
            tail = tuple(v for _f, v in constants)
            cur.executemany(f"INSERT INTO {table} ({all_cols}) VALUES ({marks})", [r + tail for r in rows])


def update_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Set ``columns`` of the rows given as tuples ``(id, *values)``."""
    if not rows:
        return
    table = _q(model._meta.db_table)
    with connection.cursor() as cur:
        if is_postgres():
            stage = _stage(cur, model, ["id", *columns], rows)
            sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in columns)
            cur.execute(f"UPDATE {table} t SET {sets} FROM {stage} s WHERE t.id = s.id")
            cur.execute(f"DROP TABLE {stage}")
        else:
            sets = ", ".join(f"{_q(c)} = %s" for c in columns)
            cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", [(*r[1:], r[0]) for r in rows])
