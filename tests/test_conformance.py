"""Conformance vectors: every JSON file in the shared conformance folder, run over HTTP on a
fresh database (format: that folder's README).

The folder comes from SLOTWISE_CONFORMANCE_DIR, else `shared/conformance` beside the repository
(where CI puts it). A vector whose path the server does not serve yet (a 404 "No such path")
is an expected failure, so it starts running by itself once the path exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.tools import ROOT, missing

FOLDER = Path(os.environ.get("SLOTWISE_CONFORMANCE_DIR", ROOT.parent / "shared" / "conformance"))
VECTORS = sorted(FOLDER.glob("*.json")) if FOLDER.is_dir() else []


def assert_matches(expected: Any, actual: Any, where: str, as_sets: set[str]) -> None:
    """Keys shown must be present with these values; extra keys are allowed; lists keep order
    (except keys named in `as_sets`)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key}: missing in {actual!r}"
            if key in as_sets and isinstance(value, list):
                assert isinstance(actual[key], list), f"{where}.{key}: expected a list"
                assert sorted(map(json.dumps, value)) == sorted(map(json.dumps, actual[key])), (
                    f"{where}.{key}: {actual[key]!r} != {value!r} (as sets)"
                )
                continue
            assert_matches(value, actual[key], f"{where}.{key}", as_sets)
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), (
            f"{where}: {len(actual)} items, expected {len(expected)}: {actual!r}"
        )
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_matches(want, got, f"{where}[{i}]", as_sets)
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def set_keys(compare: str) -> set[str]:
    """Keys the vector's `compare` text says to compare as sets ("emails as a set")."""
    words = compare.replace(",", " ").replace(";", " ").split()
    return {
        words[i - 1]
        for i in range(1, len(words) - 2)
        if words[i] == "as" and words[i + 1] == "a" and words[i + 2] == "set"
    }


def test_conformance_folder_exists() -> None:
    if not VECTORS:
        missing(f"conformance vectors in {FOLDER} (set SLOTWISE_CONFORMANCE_DIR)")


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path, api: httpx.Client) -> None:
    vector = json.loads(path.read_text())
    setup = vector.get("setup", {})
    for grant in setup.get("grants", []):
        response = api.post(
            "/v3/connect/custom",
            json={"provider": grant["provider"], "settings": {"email": grant["email"]}},
        )
        assert response.status_code == 200, response.text
    for event in setup.get("events", []):
        body = {k: v for k, v in event.items() if k != "email"}
        response = api.post(
            f"/v3/grants/{event['email']}/events", params={"calendar_id": "primary"}, json=body
        )
        assert response.status_code == 200, response.text
    response = api.request(vector["method"], vector["path"], json=vector.get("request"))
    if response.status_code == 404:
        error = response.json().get("error", {})
        if str(error.get("message", "")).startswith("No such path"):
            pytest.xfail(f"{vector['method']} {vector['path']} is not served yet")
    expect = vector["expect"]
    assert response.status_code == expect["status"], response.text
    assert_matches(expect["body"], response.json(), "body", set_keys(vector.get("compare", "")))
