"""Outside tools some tests need (node, npm packages, chromium).

On a developer machine a missing tool skips the test with a message naming it. In CI
(`SLOTWISE_REQUIRE_ALL=1`, set by .ci/run) nothing may be skipped, so it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("SLOTWISE_TEST_CACHE", ROOT / ".cache"))


def missing(what: str) -> None:
    message = f"needs {what}"
    if os.environ.get("SLOTWISE_REQUIRE_ALL"):
        pytest.fail(f"{message} (required in CI)")
    pytest.skip(message)


def require_executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"the `{name}` executable")
    assert path is not None
    return path


def npm_package(spec: str, folder: str) -> Path:
    """Install an npm package (e.g. "nylas@8.4.0") into .cache/<folder> once; return the folder."""
    require_executable("node")
    npm = require_executable("npm")
    target = CACHE / folder
    marker = target / ".installed"
    if marker.exists() and marker.read_text() == spec:
        return target
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(target), spec],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        missing(f"npm package {spec} ({result.stderr.strip()[-300:]})")
    marker.write_text(spec)
    return target


def pip_package(spec: str, folder: str) -> Path:
    """Install a Python package (e.g. "nylas==5.14.1") into .cache/<folder> once; return the folder.

    For packages that must not meet the test process (another version of an installed one):
    import them in a subprocess with PYTHONPATH set to the folder.
    """
    target = CACHE / folder
    marker = target / ".installed"
    if marker.exists() and marker.read_text() == spec:
        return target
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--upgrade", "--target", str(target)]
        + [spec],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        missing(f"Python package {spec} ({result.stderr.strip()[-300:]})")
    marker.write_text(spec)
    return target


def run_json(
    command: list[str], *, env: dict[str, str], cwd: Path | None = None, stdin: str = ""
) -> Any:
    """Run a helper program; it must exit 0 and print one JSON document as its last line."""
    result = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout.strip().splitlines()[-1])
