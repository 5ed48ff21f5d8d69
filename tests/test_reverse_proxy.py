"""The nginx example of docs/operations.md, run with Debian's nginx in front of two servers.

The client connects from 127.0.0.2, nginx from 127.0.0.1: the servers' access logs must name
127.0.0.2 (the forwarded address, believed because nginx's address is trusted), both servers
must get requests, and an X-Forwarded-For the client makes up must not be believed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from slotwise.db.engine import Database
from tests.conftest import API_KEY
from tests.support.processes import ROOT, ServerProcess
from tests.support.server import free_port, http_client
from tests.support.tools import require_executable
from tests.support.waiting import HTTP_TIMEOUT, wait_until

pytestmark = pytest.mark.process

CLIENT_ADDRESS = "127.0.0.2"


def docs_nginx_site() -> str:
    """The `nginx` code block of docs/operations.md (the site file an operator installs)."""
    text = (ROOT / "docs" / "operations.md").read_text()
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/operations.md must hold exactly one nginx example"
    return blocks[0]


def nginx_config(tmp: Path, listen: int, upstreams: list[int]) -> Path:
    site = docs_nginx_site()
    # The example's two upstreams and port, moved to the test's free ports.
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{upstreams[0]}")
    site = site.replace("127.0.0.1:8002", f"127.0.0.1:{upstreams[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("server_name slotwise.example.com;", "server_name _;")
    temp = tmp / "nginx-temp"
    temp.mkdir()
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main)
    return path


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    def answering() -> bool:
        assert process.poll() is None, "nginx exited"
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.HTTPError:
            return False
        return True

    wait_until(answering, "nginx to answer", interval=0.1)


def test_nginx_in_front_of_two_servers_forwards_the_client_address(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    nginx = require_executable("nginx")
    env = {"SLOTWISE_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    outputs = [tmp_path / f"server{n}.log" for n in range(2)]
    args = ("--no-worker", "--log-format", "json")
    servers = [
        ServerProcess(database_url, API_KEY, tmp_path, env=env, args=args, output=o)
        for o in outputs
    ]
    proxy = None
    try:
        for server in servers:
            server.wait_ready(timeout=180)  # two processes start at once on a busy machine
        port = free_port()
        config = nginx_config(tmp_path, port, [s.port for s in servers])
        proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path)])
        wait_for_port(port, proxy)
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
        with http_client(
            base_url=f"http://127.0.0.1:{port}",
            transport=transport,
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=HTTP_TIMEOUT,
        ) as client:
            for _ in range(6):
                assert client.get("/v3/grants").status_code == 200
            spoofed = client.get("/v3/grants?spoof=1", headers={"X-Forwarded-For": "6.6.6.6"})
            assert spoofed.status_code == 200
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(timeout=10)
        for server in servers:
            server.stop()
    # The request log (one JSON line per request) names the client each server saw.
    seen = 0
    for output in outputs:
        log = output.read_text()
        requests = [
            entry
            for entry in map(_json_line, log.splitlines())
            if entry.get("logger") == "slotwise.request" and entry.get("route") == "/v3/grants"
        ]
        assert requests, f"a server got no request through nginx: {log[-2000:]}"
        for entry in requests:
            assert entry["client"] == CLIENT_ADDRESS, entry
        seen += len(requests)
    assert seen == 7  # six plain requests and the spoofed one, none from 6.6.6.6


def _json_line(line: str) -> dict[str, object]:
    try:
        entry = json.loads(line)
    except ValueError:
        return {}
    return entry if isinstance(entry, dict) else {}
