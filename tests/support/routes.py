"""An app built only to read its routes and its OpenAPI document.

It is given settings with a data directory of its own: `create_app()` with none reads the
environment and would create ./slotwise-data (and its secret key) in whichever checkout runs
the tests.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from fastapi import FastAPI

from slotwise.app import create_app
from slotwise.config import Settings


@cache
def route_app() -> FastAPI:
    data_dir = Path(tempfile.mkdtemp(prefix="slotwise-routes-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return create_app(Settings(data_dir=data_dir))
