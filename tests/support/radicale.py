"""A real CalDAV server for provider tests: Radicale in a subprocess on a free loopback port.

It keeps its collections in a temporary folder and checks users against a plain htpasswd
file, which it rereads on every request, so tests add a fresh user (with one calendar) each.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.server import free_port, http_client
from tests.support.tools import missing
from tests.support.waiting import HTTP_TIMEOUT, wait_until


class Radicale:
    def __init__(self, folder: Path) -> None:
        if importlib.util.find_spec("radicale") is None:
            missing("the radicale package (pip install radicale)")
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.users = folder / "users"
        self.users.write_text("")
        self.config = folder / "config"
        self.log = folder / "radicale.log"
        self.config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {self.users}\n"
            "htpasswd_encryption = plain\n"
            "delay = 0\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[logging]\n"
            "level = warning\n"
            "mask_passwords = True\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Radicale:
        # Its log goes to a file: a pipe nobody reads would stall it once full.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        process = self.process

        def answering() -> bool:
            if process.poll() is not None:
                err = self.log.read_text(errors="replace")
                raise RuntimeError(f"radicale exited: {err[-2000:]}")
            try:
                httpx.get(self.url + "/.web/", timeout=1)
            except httpx.HTTPError:
                return False
            return True

        wait_until(answering, "Radicale to answer", interval=0.1)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def add_user(self, user: str, password: str) -> None:
        with self.users.open("a") as f:
            f.write(f"{user}:{password}\n")

    def client(self, user: str, password: str) -> httpx.Client:
        return http_client(base_url=self.url, auth=(user, password), timeout=HTTP_TIMEOUT)

    def mkcalendar(self, user: str, password: str, name: str, display: str) -> str:
        """Create /user/name/ as a calendar; returns its path."""
        path = f"/{user}/{name}/"
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            f"<d:set><d:prop><d:displayname>{display}</d:displayname>"
            '<c:supported-calendar-component-set><c:comp name="VEVENT"/>'
            "</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>"
        )
        with self.client(user, password) as client:
            # The first authenticated request creates the user's principal collection.
            client.request("PROPFIND", f"/{user}/", headers={"Depth": "0"})
            response = client.request("MKCALENDAR", path, content=body.encode())
            assert response.status_code == 201, response.text
        return path
