"""The layering of ARCHITECTURE.md holds: import-linter's contracts (pyproject.toml) are kept,
and the engine imports nothing but the standard library and itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "src" / "slotwise" / "availability"


def test_import_contracts_are_kept() -> None:
    # The same command scripts/test runs, so `pytest` alone catches an upward or cyclic import.
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_engine_imports_the_standard_library_only() -> None:
    # Complements the contract's list of forbidden packages: anything not in the standard
    # library fails here, whether or not the list names it.
    outside = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sorted(ENGINE.rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names
        and not (module == "slotwise.availability" or module.startswith("slotwise.availability."))
    ]
    assert outside == []
