"""End to end: ``archive serve`` as a real process, driven by Debian's headless Chromium.

A reader searches a French word without its accents (in the articles table's search box,
which leads to the French search page) and finds the seed article; an article
whose title holds a ``<script>`` tag shows the tag as text and runs nothing. Chromium and
chromedriver come from Debian (``make test`` installs them); nothing here touches the
network but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.selenium_manager import SeleniumManager
from selenium.webdriver.support.ui import WebDriverWait

from mocksite.server import RunningSite

from .conftest import ROOT
from .test_web import SCRIPT_TITLE, build_archive, seed_title

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Headless, and quiet: no first-run pages, updates, sync or other calls home.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WAIT_S = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_serving(process: subprocess.Popen[str], url: str) -> None:
    """Poll ``url`` until it answers 200; fail if the server exits first or never answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output, _ = process.communicate()
            pytest.fail(f"archive serve exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    pytest.fail(f"archive serve did not answer {url} within 60 s")


@contextlib.contextmanager
def serving(db: Path) -> Iterator[str]:
    """``archive --db DB serve --port P`` as a real process, until the block ends: its base
    URL once it answers."""
    command = shutil.which("archive", path=str(Path(sys.executable).parent))
    assert command is not None, "the archive command is not installed next to python"
    port = free_port()
    process = subprocess.Popen(
        [command, "--db", str(db), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, f"{base}/-/versions.json")
        yield base
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def server(
    replica: RunningSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``archive --db ARCHIVE serve --port P`` on a crawled archive: (base URL, planted)."""
    db = tmp_path_factory.mktemp("browser") / "archive.db"
    planted = build_archive(replica, db)
    with serving(db) as base:
        yield base, planted


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium through its chromedriver, a fresh profile, never Selenium Manager."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(
                f"{path} is missing: the browser test needs Debian's chromium and "
                "chromium-driver, which `make test` installs (`make browser`)",
                pytrace=False,
            )
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    with pytest.MonkeyPatch.context() as patch:
        # Given the driver's path, Selenium must not run Selenium Manager (which downloads).
        def no_manager(*args: Any) -> Any:
            raise AssertionError("Selenium Manager was asked for a driver")

        patch.setattr(SeleniumManager, "binary_paths", no_manager)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def page_text(driver: webdriver.Chrome) -> str:
    text: str = driver.find_element(By.TAG_NAME, "body").text
    return text


def test_the_browser_runs_scripts(browser: webdriver.Chrome) -> None:
    """The control: a script in a page does run here, so "it ran nothing" below means it."""
    browser.get("data:text/html,<p>x</p><script>window.__pwned = 1</script>")
    assert browser.execute_script("return window.__pwned") == 1


def test_search_a_french_word_without_accents(
    server: tuple[str, dict[str, Any]], browser: webdriver.Chrome
) -> None:
    base, _ = server
    browser.get(f"{base}/archive/articles")
    box = browser.find_element(By.CSS_SELECTOR, "input[name='q']")
    box.clear()
    box.send_keys("securite", Keys.ENTER)
    WebDriverWait(browser, WAIT_S).until(lambda d: "/-/search?q=securite" in d.current_url)
    WebDriverWait(browser, WAIT_S).until(lambda d: seed_title() in page_text(d))
    assert "sécurité" in seed_title()


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles/{script}",
        "/archive/articles?_search=alerte",
        "/archive/article_versions?article={script}",
    ],
)
def test_a_script_in_a_title_shows_as_text_and_runs_nothing(
    server: tuple[str, dict[str, Any]], browser: webdriver.Chrome, path: str
) -> None:
    base, planted = server
    browser.get(base + path.format(script=planted["script"]))
    WebDriverWait(browser, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    assert "<script>window.__pwned = 1</script>" in page_text(browser)
    assert SCRIPT_TITLE in page_text(browser)
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert not browser.execute_script(
        "return [...document.scripts].some(s => s.textContent.includes('__pwned'))"
    )
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
