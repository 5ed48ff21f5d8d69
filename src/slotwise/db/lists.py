"""`column IN (a list)` with the whole list bound as one parameter.

SQLAlchemy's expanding `IN` renders one placeholder per element, so a statement naming 50
calendars is new SQL text for every length of list, rebuilt on every execution (the
compiler's post-compile step), and on PostgreSQL too long for psycopg to keep it parsed: for a
50-person availability request the three statements with such lists cost more CPU in those
steps than in the database (bench/README.md, "request_cost.py"). Bound as one value the text
never changes: on PostgreSQL an array (`= ANY(...)`), on SQLite a JSON array read by the
built-in `json_each`; both planners still probe the column's index once per element.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import String, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeEngine


class TextList(TypeDecorator[Iterable[str]]):
    """A list of strings as one bound value: text[] on PostgreSQL, JSON text on SQLite."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Iterable[str] | None, dialect: Dialect) -> Any:
        items = list(value or ())
        return items if dialect.name == "postgresql" else orjson.dumps(items).decode()


class one_of(GenericFunction[bool]):  # noqa: N801 (SQL functions are lower case)
    """`one_of(column, bound_list(name))`: the column equals one of the list's elements."""

    name = "one_of"
    inherit_cache = True


def bound_list(name: str) -> Any:
    """The parameter `name`, bound to a list of strings at execution."""
    return bindparam(name, type_=TextList())


@compiles(one_of, "sqlite")
def _one_of_sqlite(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} IN (SELECT value FROM json_each({values})))"


@compiles(one_of, "postgresql")
def _one_of_postgresql(element: one_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, values = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} = ANY({values}))"
