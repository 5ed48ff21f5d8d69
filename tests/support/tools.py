"""Outside tools some tests need (node, npm packages, chromium).

On a developer machine a missing tool skips the test with a message naming it. In CI
(`SLOTWISE_REQUIRE_ALL=1`, set by .ci/run) nothing may be skipped, so it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
