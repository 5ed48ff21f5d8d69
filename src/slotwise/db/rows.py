"""Insert one new ORM object with a single Core statement (the hot write paths use this).

`session.add` + flush runs the unit of work (sorting, change tracking, per-table batching),
which costs several times more CPU than the INSERT itself. A new row written on a hot path
(an event, a booking, an outbox message) needs none of that: it is inserted at once, and the
object is then attached to the session as already persistent and fully loaded, so later
changes to it in the same transaction are still flushed as UPDATEs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached


def _column_default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)  # zero-argument callables (list, dict) come wrapped
    return default.arg if default.is_scalar else None


def row_values(obj: Any) -> dict[str, Any]:
    """The column values `obj` would be inserted with; unset attributes take their column's
    Python default (as a flush would) and are set on `obj`, so reading them later never goes
    back to the database. Bulk loaders insert these dicts many at a time."""
    mapper = inspect(type(obj))
    state = inspect(obj)
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if prop.key not in state.dict:
            setattr(obj, prop.key, _column_default(column))
        values[column.key] = getattr(obj, prop.key)
    return values


def insert_row(session: Session, obj: Any) -> None:
    """INSERT `obj` now; afterwards it is persistent in `session` as if flushed and loaded."""
    values = row_values(obj)
    # Pending ORM changes go first, as a flush would order them (the row may reference one,
    # such as a calendar added in the same transaction); with nothing pending this is cheap.
    session.flush()
    session.connection().execute(inspect(type(obj)).local_table.insert(), values)
    make_transient_to_detached(obj)
    session.add(obj)
