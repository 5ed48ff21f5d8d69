"""Queries live in repository modules (ARCHITECTURE.md, "Where things go").

A module builds SQL statements, or runs them on a session, only if it is a repository
(`repository.py`, `*_repository.py`) or part of `slotwise.db`. Services and faces call
repository functions; they may still add, delete and flush ORM objects they hold (the unit of
work) and load one by primary key (`session.get`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "slotwise"

# What SQLAlchemy builds statements with.
BUILDERS = {
    "and_", "bindparam", "case", "delete", "exists", "func", "insert", "literal", "not_",
    "or_", "select", "text", "true", "false", "tuple_", "union_all", "update",
}  # fmt: skip
# Session methods that run a statement.
RUNNERS = {"execute", "query", "scalar", "scalars"}

# Modules allowed their own queries: why, and where the module is.
ALLOWED: dict[str, tuple[str, ...]] = {
    # A foundation below the domain packages, the one owner of its table.
    "the rate-limit counters, used by the faces' edge below every domain": ("ratelimit.py",),
    # Participant row locks (SELECT ... FOR UPDATE in a fixed order), scheduling's and
    # bookings' one concurrency primitive; a repository in all but name.
    "participant row locks": ("scheduling/locks.py",),
}
ALLOWED_PATHS = {path for paths in ALLOWED.values() for path in paths}


def _is_repository(path: Path) -> bool:
    relative = path.relative_to(SRC)
    return (
        relative.parts[0] == "db"
        or path.name == "repository.py"
        or path.name.endswith("_repository.py")
        or relative.as_posix() in ALLOWED_PATHS
    )


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            dialect = (node.module or "").startswith("sqlalchemy.dialects")
            for alias in node.names:
                if dialect or alias.name in BUILDERS:
                    found.append(f"{node.lineno}: imports {node.module}.{alias.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNNERS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"session", "read", "own", "writer"}
        ):
            found.append(f"{node.lineno}: runs {node.func.value.id}.{node.func.attr}(...)")
    return found


def test_queries_are_built_and_run_in_repository_modules_only() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{offence}"
        for path in sorted(SRC.rglob("*.py"))
        if not _is_repository(path)
        for offence in _offences(path)
    ]
    assert offences == []


def test_every_allowed_exception_still_exists() -> None:
    # An exception whose module went away (or became a repository) is removed from the list.
    gone = [why for why, paths in ALLOWED.items() if not any((SRC / p).exists() for p in paths)]
    assert gone == []
