"""Lookups follow one naming rule (ARCHITECTURE.md, "Where things go"): `find_*` may find
nothing and says so in its type (`X | None`); `get_*` returns the thing or raises NotFound.
The routers' endpoint functions are named for the SDK operation they serve and are left out."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "slotwise"


def _lookups() -> list[tuple[Path, ast.FunctionDef]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "routers" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("find_", "get_")):
                found.append((path, node))
    return found


def _returns(node: ast.FunctionDef) -> str:
    return ast.unparse(node.returns) if node.returns is not None else ""


def test_find_returns_optional_and_get_does_not() -> None:
    wrong = []
    for path, node in _lookups():
        returns = _returns(node)
        optional = returns.endswith("| None") or returns.startswith("Optional[")
        if node.name.startswith("find_") and not optional:
            wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} -> {returns}")
        if node.name.startswith("get_") and optional:
            wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} -> {returns}")
    assert wrong == []


def test_repositories_only_find() -> None:
    # A repository cannot know whether "nothing" is an error for its caller.
    getters = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
        for path, node in _lookups()
        if node.name.startswith("get_")
        and (path.name == "repository.py" or path.name.endswith("_repository.py"))
    ]
    assert getters == []
