"""``ARCHIVE_CONTACT_URL``: the User-Agent names it, given as an environment variable or as a
setting, and a User-Agent the user sets is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from scrapy.settings import Settings

from crawler.contact import ContactUserAgent

ROOT = Path(__file__).resolve().parents[1]
CONTACT = "https://example.org/archive-contact"


def project_settings(**cmdline: str) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(cmdline, priority="cmdline")
    ContactUserAgent().update_settings(settings)
    return settings


def test_the_user_agent_names_the_contact_url_setting() -> None:
    settings = project_settings(ARCHIVE_CONTACT_URL=CONTACT)
    assert settings["USER_AGENT"] == f"sputnik-archiver/0.1 (+{CONTACT})"


def test_a_user_agent_the_user_sets_is_kept() -> None:
    settings = project_settings(ARCHIVE_CONTACT_URL=CONTACT, USER_AGENT="mine/1.0")
    assert settings["USER_AGENT"] == "mine/1.0"


def test_the_default_contact_is_the_projects_page() -> None:
    assert project_settings()["USER_AGENT"] == (
        "sputnik-archiver/0.1 (+https://github.com/sputnik-archiver/sputnik-archiver)"
    )


class Recorder(BaseHTTPRequestHandler):
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Recorder.agents.append(self.headers.get("User-Agent", ""))
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.e2e
@pytest.mark.parametrize("how", ["setting", "environment"])
def test_a_site_sees_the_contact_url(server: str, how: str) -> None:
    command = [sys.executable, "-m", "scrapy", "fetch", "--nolog", server]
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_CONTACT_URL"}
    if how == "setting":
        command += ["-s", f"ARCHIVE_CONTACT_URL={CONTACT}"]
    else:
        env["ARCHIVE_CONTACT_URL"] = CONTACT
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    # robots.txt, then the page.
    assert Recorder.agents == [f"sputnik-archiver/0.1 (+{CONTACT})"] * 2
