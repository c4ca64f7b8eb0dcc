"""Small SQL helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import JSON, String, Table, any_, bindparam, cast, insert
from sqlalchemy.dialects.postgresql import ARRAY


def json_list_contains(column: Any, value: str):
    """A JSON list column holding ``value`` (matched on its JSON text, literally)."""
    return cast(column, String).contains(json.dumps(value, ensure_ascii=False), autoescape=True)


def insert_rows(session: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` in the session's transaction.

    On PostgreSQL with psycopg: one ``COPY … FROM STDIN``. An executemany INSERT costs the
    server a parse and a plan per row (the app runs without server-side prepared statements,
    see ``config.py``), which made the INSERTs of a 100 000-row import several times slower
    than the rows themselves. Columns left out take their Python default, as with
    ``insert()``; JSON columns are serialised with the engine's serialiser (None as JSON
    ``null``, as SQLAlchemy stores it). Elsewhere: an executemany ``insert()``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        connection.execute(insert(table), rows)
        return
    keys = list(rows[0])
    scalars, callables = {}, {}
    for column in table.columns:
        default = column.default
        if column.key in rows[0] or default is None:
            continue
        if default.is_scalar:
            scalars[column.key] = default.arg
        elif default.is_callable:  # e.g. list, utcnow: called per row, as insert() does
            callables[column.key] = default.arg
        else:
            raise ValueError(f"{table.name}.{column.key}: pass it (a SQL default)")
    names = [*keys, *scalars, *callables]
    dumps = dialect._json_serializer or json.dumps
    convert = [
        (index, table.c[name].type.none_as_null)
        for index, name in enumerate(names)
        if isinstance(table.c[name].type, JSON)
    ]
    null = dumps(None)
    extra = tuple(scalars.values())
    makers = tuple(callables.values())
    quoted = ", ".join(dialect.identifier_preparer.quote(table.c[name].name) for name in names)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({quoted}) FROM STDIN"
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[key] for key in keys]
            values.extend(extra)
            values.extend(make(None) for make in makers)
            for index, none_as_null in convert:
                value = values[index]
                if value is not None:
                    values[index] = dumps(value)
                elif not none_as_null:
                    values[index] = null
            copy.write_row(values)


def among(session: Any, column: Any, values: Collection[Any]):
    """``column IN values`` for a chunk's lookups: on PostgreSQL ``= ANY(%s)`` with the values
    as one array parameter (an expanded IN of 1 000 parameters is a 30 kB statement that the
    driver rewrites and the server parses and plans on every run); elsewhere ``IN``."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
