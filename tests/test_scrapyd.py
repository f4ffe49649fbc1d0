"""End to end: crawls on two Scrapyd nodes, one killed mid-crawl and resumed, their shards
against a single-machine crawl of both sites (docs/scaling.md).

Each node is a Scrapyd daemon on a loopback port, started here with its own working directory
and configuration file, in a virtual environment holding the project's dependencies but not
the project: the crawls run the code of the egg deployed to it (``scripts/build_egg.py``,
``scrapyd-deploy node --egg``), nothing else. Node A crawls the Sputnik replica, node B La
Gazette du Val (``mocksite.gazette``), whose site declaration (``tests/sites_for_tests.py``)
stands for a user's own site module, found on the node's ``PYTHONPATH``.

Node A's first crawl is slowed down (``DOWNLOAD_DELAY``) so that a second job on the same
archive meets its lock, then the daemon and its crawl are killed with SIGKILL once some
articles are stored; the daemon is started again, the crawl scheduled again, and it resumes
from the archive's frontier. The shards are then copied as a merger would take them, and
compared with one crawl of both sites on this machine.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from archive import merge
from crawler.commands.crawl import unknown_argument_message
from crawler.spiders.news import NewsSpider
from crawler.spiders.sputnik import SputnikSpider
from mocksite.gazette import RunningGazette
from mocksite.gazette import start as start_gazette
from mocksite.server import RunningSite
from mocksite.server import start as start_sputnik

from .conftest import ROOT
from .test_demo_and_bench import free_port
from .test_e2e_multisite import (
    GAZETTE_HOST,
    GAZETTE_SITE,
    SPUTNIK_SITE,
    gazette_truth,
    news_crawl,
    sputnik_urls,
    stored_sites,
)
from .test_installed import ok, run, venv_with_dependencies

pytestmark = pytest.mark.e2e

#: The Scrapyd project, as scrapy.cfg's ``[deploy]`` names it.
PROJECT = "crawler"
SPUTNIK_ARTICLES = 40
GAZETTE_ARTICLES = 45
#: Node A's first crawl, slowed down so that it is still running when the lock job comes
#: and when it is killed.
SLOW_DELAY = "0.2"
#: Articles node A's first crawl stores before it is killed.
KILL_AFTER_ARTICLES = 16
#: The user's site module on the nodes (a link to tests/sites_for_tests.py).
SITE_MODULE = "gazette_sites"
POLL_S = 0.1
DEADLINE_S = 120.0
PROGRESS = "[crawler.extensions.progress] INFO: fetched "
BIN = Path(sys.executable).parent


# -- a Scrapyd node ------------------------------------------------------------------------


@dataclass
class Node:
    """A Scrapyd daemon in ``home`` (its working directory: ``scrapyd.conf``, ``eggs/``,
    ``logs/``, ``dbs/``), run by ``python`` on a loopback ``port``."""

    name: str
    home: Path
    python: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def log_path(self) -> Path:
        """The daemon's own log (twistd's), where Scrapyd says how each job's process ended."""
        return self.home / "scrapyd.log"

    def start(self) -> None:
        """Start the daemon (``python -m scrapyd``, the ``scrapyd`` command) in a process
        group of its own, which its crawls join; return once it answers."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.python), "-m", "scrapyd", "--pidfile="],
                cwd=self.home,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.daemon_log()[-3000:]
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return
            except OSError:
                pass
            time.sleep(POLL_S)
        raise AssertionError(f"{self.name}: Scrapyd did not answer within {DEADLINE_S} s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the daemon and the crawls it started (its process group)."""
        assert self.process is not None
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)

    def get(self, endpoint: str, **params: str) -> dict[str, Any]:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(self.url + endpoint + query, timeout=30) as response:
            answer: dict[str, Any] = json.load(response)
        return answer

    def post(self, endpoint: str, data: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(data).encode()
        with urllib.request.urlopen(self.url + endpoint, body, timeout=60) as response:
            answer: dict[str, Any] = json.load(response)
        assert answer["status"] == "ok", answer
        return answer

    def schedule(self, spider: str, arguments: dict[str, str], settings: dict[str, str]) -> str:
        """``schedule.json``: the job's id."""
        data = [("project", PROJECT), ("spider", spider), *arguments.items()]
        data += [("setting", f"{name}={value}") for name, value in settings.items()]
        return str(self.post("schedule.json", data)["jobid"])

    def job(self, job: str) -> tuple[str, dict[str, Any]] | None:
        """(``pending``, ``running`` or ``finished``, its entry) in ``listjobs.json``."""
        jobs = self.get("listjobs.json", project=PROJECT)
        for state in ("pending", "running", "finished"):
            for entry in jobs[state]:
                if entry["id"] == job:
                    return state, entry
        return None

    def wait_for(self, job: str, state: str) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE_S * 2
        while time.monotonic() < deadline:
            found = self.job(job)
            if found is not None and found[0] == state:
                return found[1]
            time.sleep(POLL_S)
        raise AssertionError(f"{self.name}: job {job} not {state}: {self.job(job)}")

    def job_log(self, spider: str, job: str) -> str:
        """The crawl's own log, as Scrapyd names it (``logs/<project>/<spider>/<job>.log``)."""
        return (self.home / "logs" / PROJECT / spider / f"{job}.log").read_text()

    def daemon_log(self) -> str:
        return self.log_path.read_text(errors="replace")


def node_environment(home: Path, site_modules: Path) -> dict[str, str]:
    """The daemon's environment: no configuration of the user's (``HOME``), no module path
    but the directory of the user's site modules, no archive named outside the job."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "ARCHIVE_PATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT")
    }
    return {
        **keep,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PYTHONPATH": str(site_modules),
    }


def make_node(name: str, root: Path, python: Path, site_modules: Path) -> Node:
    home = root / name
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        "eggs_dir = eggs\n"
        "logs_dir = logs\n"
        "dbs_dir = dbs\n"
        # Jobs start within a fifth of a second of schedule.json (default: 5 s).
        "poll_interval = 0.2\n"
        "max_proc = 2\n"
    )
    return Node(name, home, python, port, node_environment(home, site_modules))


def deploy(node: Node, egg: Path, home: Path) -> dict[str, Any]:
    """``scrapyd-deploy node --egg EGG`` from the checkout, the node's URL in ``SCRAPYD_URL``
    (scrapy.cfg's ``[deploy:node]``)."""
    result = run(
        [BIN / "scrapyd-deploy", "node", "--egg", egg],
        ROOT,
        SCRAPYD_URL=node.url,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    answer: dict[str, Any] = json.loads(ok(result))
    return answer


# -- the archive, read as any reader would while a crawl writes ----------------------------


def count(db: Path, table: str) -> int:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        conn.close()


def wait_for_articles(db: Path, node: Node, job: str, articles: int) -> int:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        seen = count(db, "articles")
        if seen >= articles:
            return seen
        found = node.job(job)
        assert found is not None and found[0] != "finished", f"job ended at {seen} articles"
        time.sleep(POLL_S)
    raise AssertionError(f"no {articles} articles within {DEADLINE_S} s")


def crawl_rows(db: Path) -> list[dict[str, Any]]:
    """``archive --db DB crawls --json``, oldest first."""
    rows: list[dict[str, Any]] = json.loads(
        ok(run([BIN / "archive", "--db", db, "crawls", "--json"], db.parent))
    )
    return rows[::-1]


def copy_archive(shard: Path, copy: Path) -> Path:
    """What ``sqlite3 shard.db ".backup copy.db"`` does: a consistent copy of the archive,
    its WAL included."""
    merge.copy_archive(shard, copy)
    return copy


# -- the cluster ---------------------------------------------------------------------------


@dataclass
class Cluster:
    """What the nodes did, for the tests to look at."""

    egg: Path
    a: Node
    b: Node
    sputnik_url: str
    gazette_url: str
    first_job: str  # node A's crawl, killed
    lock_job: str  # node A's second job on the same archive, refused
    resumed_job: str  # node A's crawl scheduled again after the restart
    gazette_job: str  # node B's crawl
    killed_at: int  # articles in node A's shard when it was killed
    shards: dict[str, Path]  # site -> the shard, copied off its node
    reference: Path  # one crawl of both sites on this machine
    jobs_after_restart: dict[str, Any]


@pytest.fixture(scope="module")
def sputnik() -> Iterator[RunningSite]:
    with start_sputnik(articles=SPUTNIK_ARTICLES, seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def gazette(sputnik: RunningSite) -> Iterator[RunningGazette]:
    with start_gazette(
        GAZETTE_ARTICLES, seed=1, host=GAZETTE_HOST, peer=sputnik.base_url, peer_seed=1
    ) as running:
        yield running


@pytest.fixture(scope="module")
def cluster(
    sputnik: RunningSite, gazette: RunningGazette, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("scrapyd")
    built = ok(run([sys.executable, ROOT / "scripts" / "build_egg.py", root / "dist"], ROOT))
    egg = Path(built.strip())
    python = venv_with_dependencies(root / "venv")
    # The project is not in the nodes' environment: what they crawl with is the egg.
    assert run([python, "-c", "import crawler"], root).returncode == 1
    site_modules = root / "site-modules"
    site_modules.mkdir()
    (site_modules / f"{SITE_MODULE}.py").symlink_to(ROOT / "tests" / "sites_for_tests.py")

    a = make_node("node-a", root, python, site_modules)
    b = make_node("node-b", root, python, site_modules)
    nodes = [a, b]
    try:
        for node in nodes:
            node.start()
            assert deploy(node, egg, root)["project"] == PROJECT
        sputnik_url, gazette_url = sputnik.base_url + "/", gazette.base_url + "/"
        shard_a, shard_b = a.home / "shard.db", b.home / "shard.db"
        common = {"ARCHIVE_PROGRESS_INTERVAL": "1"}

        gazette_job = b.schedule(
            "news",
            {"site": GAZETTE_SITE, "start": gazette_url},
            {
                **common,
                "ARCHIVE_PATH": str(shard_b),
                "ARCHIVE_SITE_MODULES": SITE_MODULE,
                "ARCHIVE_NODE": b.name,
            },
        )
        sputnik_settings = {**common, "ARCHIVE_PATH": str(shard_a), "ARCHIVE_NODE": a.name}
        first_job = a.schedule(
            "sputnik", {"start": sputnik_url}, {**sputnik_settings, "DOWNLOAD_DELAY": SLOW_DELAY}
        )
        wait_for_articles(shard_a, a, first_job, 1)
        lock_job = a.schedule("sputnik", {"start": sputnik_url}, sputnik_settings)
        a.wait_for(lock_job, "finished")
        killed_at = wait_for_articles(shard_a, a, first_job, KILL_AFTER_ARTICLES)
        running = a.job(first_job)
        assert running is not None and running[0] == "running"
        a.kill()

        a.start()
        jobs_after_restart = a.get("listjobs.json", project=PROJECT)
        resumed_job = a.schedule("sputnik", {"start": sputnik_url}, sputnik_settings)
        a.wait_for(resumed_job, "finished")
        b.wait_for(gazette_job, "finished")

        # The shards go to the merger once their crawls are over: a copy of each.
        merger = root / "merger"
        merger.mkdir()
        shards = {
            SPUTNIK_SITE: copy_archive(shard_a, merger / "node-a.db"),
            GAZETTE_SITE: copy_archive(shard_b, merger / "node-b.db"),
        }
        reference = root / "reference.db"
        result = news_crawl(reference, {SPUTNIK_SITE: sputnik_url, GAZETTE_SITE: gazette_url})
        assert result.returncode == 0, result.stderr[-3000:]
        yield Cluster(
            egg, a, b, sputnik_url, gazette_url, first_job, lock_job, resumed_job, gazette_job,
            killed_at, shards, reference, jobs_after_restart,
        )  # fmt: skip
    finally:
        for node in nodes:
            if node.process is not None:
                node.kill()


# -- deploying -----------------------------------------------------------------------------


def test_scrapyds_job_id_is_an_argument_every_spider_takes() -> None:
    """Scrapyd runs ``scrapy crawl SPIDER -a _job=ID ...``; unknown arguments are refused."""
    for spider in (NewsSpider, SputnikSpider):
        assert unknown_argument_message(spider, {"_job": "0f3c", "start": "http://a/"}) is None
    refusal = unknown_argument_message(SputnikSpider, {"_job": "0f3c", "strat": "x"})
    assert refusal is not None and refusal.startswith("unknown spider argument 'strat'; ")


def test_the_egg_holds_the_packages_their_data_and_the_settings(cluster: Cluster) -> None:
    with zipfile.ZipFile(cluster.egg) as egg:
        names = set(egg.namelist())
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == {
        "crawler", "archive", "extraction", "mocksite", "EGG-INFO",
    }  # fmt: skip
    assert "archive/writer.py" in names
    assert "archive/schema.md" in names
    assert "archive/datasette_plugin/templates/archive_article.html" in names
    assert "[scrapy]\nsettings = crawler.settings\n" in entry_points


def test_each_node_lists_the_deployed_spiders(cluster: Cluster) -> None:
    for node in (cluster.a, cluster.b):
        assert node.get("listprojects.json")["projects"] == [PROJECT]
        assert node.get("listspiders.json", project=PROJECT)["spiders"] == ["news", "sputnik"]


def test_a_restarted_node_keeps_its_eggs_and_forgets_its_jobs(cluster: Cluster) -> None:
    """The killed crawl is in no list after the restart (Scrapyd keeps finished jobs in
    memory, and took the job off its queue when it started): it is scheduled again by hand."""
    jobs = cluster.jobs_after_restart
    assert (jobs["pending"], jobs["running"], jobs["finished"]) == ([], [], [])
    assert cluster.a.get("listprojects.json")["projects"] == [PROJECT]


# -- exit statuses, the lock, logs ---------------------------------------------------------


def test_listjobs_says_when_a_job_ended_but_not_how(cluster: Cluster) -> None:
    entry = cluster.b.wait_for(cluster.gazette_job, "finished")
    assert set(entry) == {
        "id", "project", "spider", "start_time", "end_time", "log_url", "items_url",
    }  # fmt: skip
    assert entry["log_url"] == f"/logs/{PROJECT}/news/{cluster.gazette_job}.log"


def test_the_exit_status_is_in_the_daemons_log(cluster: Cluster) -> None:
    finished = f"Process finished: project='{PROJECT}' spider='news' job='{cluster.gazette_job}'"
    assert finished in cluster.b.daemon_log()
    log = cluster.a.daemon_log()
    resumed = f"Process finished: project='{PROJECT}' spider='sputnik' job='{cluster.resumed_job}'"
    assert resumed in log
    locked = f"Process died: exitstatus=75 project='{PROJECT}' spider='sputnik' "
    assert f"{locked}job='{cluster.lock_job}'" in log
    # The killed crawl's "Process started" line only: the daemon that would have logged its
    # end died with it.
    assert log.count(f"job='{cluster.first_job}'") == 1
    assert f"Process started: project='{PROJECT}' spider='sputnik' job='{cluster.first_job}'" in log


def test_a_second_job_on_the_same_archive_is_refused_by_its_lock(cluster: Cluster) -> None:
    """The crawl's one line: in the job's log, and on its stderr, which the daemon logs."""
    shard = (cluster.a.home / "shard.db").resolve()
    line = f"{shard} is being crawled by pid "
    job_log = cluster.a.job_log("sputnik", cluster.lock_job)
    assert f"[crawler.commands.crawl] ERROR: {line}" in job_log
    stderr = [row for row in cluster.a.daemon_log().splitlines() if "/stderr] " in row]
    assert [row.split("/stderr] ", 1)[1] for row in stderr if line in row] == [
        row.split("ERROR: ", 1)[1].replace(str(shard), f"scrapy crawl sputnik: {shard}", 1)
        for row in job_log.splitlines()
        if line in row
    ]


def test_the_job_logs_carry_the_progress_lines(cluster: Cluster) -> None:
    killed = cluster.a.job_log("sputnik", cluster.first_job)
    assert killed.count(PROGRESS) >= 2  # every second, until the kill
    resumed = cluster.a.job_log("sputnik", cluster.resumed_job)
    assert resumed.count(PROGRESS) >= 1
    assert [line for line in resumed.splitlines() if PROGRESS in line][-1].endswith(
        "frontier 0 left (finished)"
    )
    gazette = cluster.b.job_log("news", cluster.gazette_job)
    assert [line for line in gazette.splitlines() if PROGRESS in line][-1].endswith("(finished)")


def test_the_crawl_history_is_as_under_cron(cluster: Cluster) -> None:
    """A ``crawls`` row per run, as ``scrapy crawl`` from cron leaves them: the killed run
    closed by the next as ``interrupted``, the refused one without a row, Scrapyd's job id not
    among the arguments."""
    rows = crawl_rows(cluster.shards[SPUTNIK_SITE])
    assert all(set(row) == set(crawl_rows(cluster.reference)[0]) for row in rows)
    assert [(r["spider"], r["status"], r["finish_reason"]) for r in rows] == [
        ("sputnik", "interrupted", "process_gone"),
        ("sputnik", "finished", "finished"),
    ]
    arguments = {"start": cluster.sputnik_url, "related_depth": "1"}
    assert [r["arguments"] for r in rows] == [arguments, arguments]
    [row] = crawl_rows(cluster.shards[GAZETTE_SITE])
    assert (row["spider"], row["status"], row["finish_reason"]) == ("news", "finished", "finished")
    assert row["arguments"] == {
        "site": GAZETTE_SITE, "start": cluster.gazette_url, "related_depth": "1",
    }  # fmt: skip


# -- the killed node resumed ---------------------------------------------------------------


def test_the_killed_crawl_resumed_from_its_frontier(cluster: Cluster, sputnik: RunningSite) -> None:
    shard = cluster.shards[SPUTNIK_SITE]
    assert KILL_AFTER_ARTICLES <= cluster.killed_at < SPUTNIK_ARTICLES
    first, resumed = crawl_rows(shard)
    # The second run fetched what the first had not: fewer pages than the whole site takes.
    hosts = (sputnik.base_url + "/%", sputnik.mobile_base_url + "/%")
    whole = rows(cluster.reference, "fetches", "url LIKE ? OR url LIKE ?", hosts)
    assert 0 < rows(shard, "fetches", "crawl_id = ?", (resumed["id"],)) < whole
    stored = stored_sites(shard)
    assert set(stored) == sputnik_urls(sputnik)
    assert set(stored.values()) == {SPUTNIK_SITE}
    killed_new = rows(shard, "versions", "crawl_id = ? AND number = 1", (first["id"],))
    assert killed_new >= cluster.killed_at
    assert killed_new + resumed["new"] == len(stored)
    assert rows(shard, "frontier", "state = 'pending'") == 0


def rows(db: Path, table: str, where: str = "1", params: tuple[Any, ...] = ()) -> int:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()[0]
        )
    finally:
        conn.close()


# -- the shards and one machine's crawl ----------------------------------------------------


def test_each_shard_holds_its_sites_articles_as_one_machines_crawl_does(
    cluster: Cluster, gazette: RunningGazette
) -> None:
    reference = stored_sites(cluster.reference)
    for site, shard in cluster.shards.items():
        stored = stored_sites(shard)
        assert set(stored.values()) == {site}
        assert set(stored) == {url for url, s in reference.items() if s == site}, site
    assert {url for url, s in reference.items() if s == GAZETTE_SITE} == set(gazette_truth(gazette))
    assert len(reference) == sum(len(stored_sites(shard)) for shard in cluster.shards.values())


def test_the_merged_shards_equal_the_single_machine_crawl(cluster: Cluster) -> None:
    _merge_and_compare(list(cluster.shards.values()), cluster.reference)


#: Tables of what was archived, the same whichever machines crawled it. Not ``crawls`` and
#: ``fetches``, the runs' own; nor ``captures``, whose headers carry the response's ``Date``;
#: nor the photos (``media``, ``version_media``): those of the articles node A's killed run
#: stored come with the articles' next visit (crawler/photos.py), not with the resumed run.
CONTENT_TABLES = ("articles", "versions", "urls", "links", "tags", "events")


def run_column(name: str) -> bool:
    """A column saying when or in which run a row was made, not what it holds."""
    return name.endswith(("_at", "crawl_id", "fetch_id")) or name in ("pid", "host", "node")


def _merge_and_compare(shards: list[Path], reference: Path) -> None:
    """``archive merge SHARD... --into T``, then T holds what the single-machine crawl holds
    (``archive.merge.canonical``: rows with their ids replaced by what they stand for), the
    times and runs of each row aside."""
    merged = shards[0].parent / "merged.db"
    ok(run([BIN / "archive", "merge", *shards, "--into", merged], merged.parent))

    def timeless(path: Path) -> dict[str, list[Any]]:
        tables = merge.canonical(path, CONTENT_TABLES)
        return {
            table: sorted(tuple((k, v) for k, v in row if not run_column(k)) for row in rows)
            for table, rows in tables.items()
        }

    assert timeless(merged) == timeless(reference)
