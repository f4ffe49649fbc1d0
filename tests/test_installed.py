"""The package as a user installs it: ``archive crawl`` and ``scrapy crawl`` run from any
directory. Unit tests of the command line ``archive crawl`` builds, then the wheel built from
the checkout, installed into a fresh virtual environment outside it and crawling the replica
from a directory without ``scrapy.cfg``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.crawl import crawl_arguments, crawl_command, crawl_environment
from mocksite.server import RunningSite, start

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("site", "spider_and_choice"),
    [
        ("sputnik", ["sputnik"]),
        ("news", ["news"]),
        ("lemonde", ["news", "-a", "site=lemonde"]),
        ("https://www.journal.example/", ["news", "-a", "start=https://www.journal.example/"]),
    ],
)
def test_archive_crawl_runs_scrapy_crawl_for_a_spider_a_site_or_a_url(
    site: str, spider_and_choice: list[str]
) -> None:
    passed = ["-a", "related_depth=0", "-O", "out.jsonl", "-s", "ARCHIVE_PATH=other.db"]
    assert crawl_arguments(site, "a.db", passed) == [
        "crawl", *spider_and_choice, "-s", "ARCHIVE_PATH=a.db", *passed,
    ]  # fmt: skip


def test_the_crawl_uses_the_projects_settings_unless_told_otherwise() -> None:
    assert crawl_environment({"HOME": "/h"}) == {
        "HOME": "/h",
        "SCRAPY_SETTINGS_MODULE": "crawler.settings",
    }
    mine = {"SCRAPY_SETTINGS_MODULE": "mysettings"}
    assert crawl_environment(mine) == mine


def test_the_crawl_runs_scrapy_without_the_current_directory_on_the_module_path(
    tmp_path: Path,
) -> None:
    command = crawl_command("sputnik", "a.db", ["-O", "out.jsonl"])
    assert command[:2] == [sys.executable, "-c"]
    assert command[3:] == [
        "scrapy", "crawl", "sputnik", "-s", "ARCHIVE_PATH=a.db", "-O", "out.jsonl",
    ]  # fmt: skip
    # The bootstrap up to running Scrapy, then what it left: the directory is off the path.
    code = command[2].split("import runpy")[0]
    code += "import os\nprint(os.getcwd() in [os.path.abspath(p or '.') for p in sys.path])\n"
    code += "print(sys.argv)\n"
    shown = subprocess.run(
        [sys.executable, "-c", code, "crawl"], cwd=tmp_path, capture_output=True, text=True
    )
    assert (shown.returncode, shown.stdout) == (0, "False\n['-c', 'crawl']\n")


def test_archive_crawl_needs_a_site() -> None:
    result = CliRunner().invoke(cli, ["crawl"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Missing argument 'SITE'."


# -- installed -----------------------------------------------------------------------------


def run(command: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ARCHIVE_PATH")}
    environ.pop("SCRAPY_SETTINGS_MODULE", None)
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout


def venv_with_dependencies(venv: Path) -> Path:
    """A fresh virtual environment at ``venv`` with the project's dependencies but not the
    project; returns its ``python``.

    No network here: the dependencies are those of the environment running the tests, its
    site-packages named by a ``.pth`` file after the new environment's own (the editable
    install found there is not: a ``.pth`` line adds a directory, not the ``.pth`` files in
    it)."""
    ok(run([sys.executable, "-m", "venv", venv], cwd=venv.parent))
    python = venv / "bin" / "python"
    own = ok(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv))
    Path(own.strip(), "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel of the checkout installed (its ``bin``)."""
    root = tmp_path_factory.mktemp("installed")
    wheels = root / "wheels"
    ok(run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
            "--wheel-dir", wheels, ROOT], cwd=root))  # fmt: skip
    venv = root / "venv"
    python = venv_with_dependencies(venv)
    [wheel] = wheels.glob("*.whl")
    ok(run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], root))
    return venv / "bin"


@pytest.fixture(scope="module")
def replica() -> Iterator[RunningSite]:
    with start(articles=12) as running:
        yield running


@pytest.mark.e2e
def test_the_installed_package_crawls_from_a_directory_without_the_project(
    installed: Path, replica: RunningSite, tmp_path: Path
) -> None:
    """``archive crawl`` from an empty directory: the installed package's code (not the
    checkout's), the crawl into ``--db``, a feed of its articles, then reading the archive;
    and ``scrapy crawl`` there too with ``SCRAPY_SETTINGS_MODULE``."""
    code = "import archive, crawler, extraction as e; print(archive.__file__, crawler.__file__, "
    code += "e.__file__)"
    where = ok(run([installed / "python", "-c", code], tmp_path))
    assert all(Path(path).is_relative_to(installed.parent) for path in where.split())
    assert not (tmp_path / "scrapy.cfg").exists()

    # Modules lying in the directory the crawl starts from are not imported in place of the
    # package's (``python -m`` would put the directory first on the module path).
    local = [tmp_path / name for name in ("crawler.py", "scrapy.py", "archive.py")]
    for module in local:
        module.write_text(f"raise SystemExit('{module.name} of the current directory imported')")
    archive = [installed / "archive", "--db", "news.db"]
    ok(run([*archive, "crawl", "sputnik", "-a", f"start={replica.url()}", "-O", "articles.jsonl",
            "-s", "LOG_LEVEL=WARNING"], tmp_path))  # fmt: skip
    for module in local:
        module.unlink()
    records = [json.loads(line) for line in (tmp_path / "articles.jsonl").read_text().splitlines()]
    assert len(records) == 12 and {record["outcome"] for record in records} == {"new"}
    [crawl] = json.loads(ok(run([*archive, "crawls", "--json"], tmp_path)))
    assert (crawl["status"], crawl["new"], crawl["spider"]) == ("finished", 12, "sputnik")
    seed = replica.site.article(replica.site.seed_index)
    shown = ok(run([*archive, "show", replica.url(seed["url_path"])], tmp_path))
    assert "title: Washington et Moscou discutent de la sécurité des opérations en Syrie" in shown

    scrapy = [installed / "python", "-m", "scrapy", "crawl", "sputnik"]
    url = replica.url(seed["url_path"])
    ok(run([*scrapy, "-a", f"urls={url}", "-s", "LOG_LEVEL=WARNING"], tmp_path,
           SCRAPY_SETTINGS_MODULE="crawler.settings", ARCHIVE_PATH="news.db"))  # fmt: skip
    latest = json.loads(ok(run([*archive, "crawls", "--json"], tmp_path)))[0]
    assert (latest["id"], latest["status"], latest["unchanged"]) == (2, "finished", 1)
