"""``archive related`` and ``archive.graph``: the "Lire aussi" graph around an article."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from archive import Archive, Fetch
from archive import graph as graph_module
from archive.cli import cli

SITE = "https://fr.sputniknews.com"
A = f"{SITE}/international/1-alpha/"
B = f"{SITE}/international/2-bravo/"
C = f"{SITE}/international/3-charlie/"
D = f"{SITE}/international/4-delta/"
X = f"{SITE}/international/9-jamais-archive/"
X_ANCHOR = 'Un titre "cité" \\ <script>alert(1)</script>'


def _article(url: str, title: str, words: str, related: list[tuple[str, str, str]]) -> Any:
    return {
        "url": url,
        "canonical_url": url,
        "site": "sputnik",
        "language": "fr",
        "title": title,
        "lead": f"Chapeau {words}.",
        "body": f"Corps {words} {words}.\n\nFin {words}.",
        "tags": [],
        "related": [
            {"url": target, "title": anchor, "kind": kind, "position": position}
            for position, (target, anchor, kind) in enumerate(related)
        ],
    }


#: A -> B, A -> X (never archived); B -> A (a cycle), B -> D (inline); C -> A; D links nothing.
ARTICLES = [
    _article(
        A, "Alpha", "pommes poires", [(B, "Bravo", "lire_aussi"), (X, X_ANCHOR, "lire_aussi")]
    ),
    _article(B, "Bravo", "chiens chats", [(A, "Alpha", "lire_aussi"), (D, "Delta", "inline")]),
    _article(C, "Charlie", "trains avions", [(A, "Alpha", "lire_aussi")]),
    _article(D, 'Delta "quoted"', "mer montagne", []),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A, B, C, D stored in that order (A's link to B is resolved once B is archived)."""
    path = tmp_path / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for article in ARTICLES:
            archive.store_article(
                article, crawl_id=crawl, fetch=Fetch(url=article["url"], status=200)
            )
        archive.finish_crawl(crawl, "finished")
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "related", *args])


def related_json(db: Path, *args: str) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def keys(graph: dict[str, Any]) -> list[Any]:
    return [node["id"] if node["id"] is not None else node["url"] for node in graph["nodes"]]


def pairs(graph: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(edge["from"], edge["to"]) for edge in graph["edges"]]


# -- the walk ----------------------------------------------------------------------------


def test_depth_1_both_ways(db: Path) -> None:
    graph = related_json(db, A)
    assert graph["root"] == 1
    assert keys(graph) == [1, 2, X, 3]
    assert pairs(graph) == [(1, 2), (1, X), (2, 1), (3, 1)]
    root, bravo, leaf, charlie = graph["nodes"]
    assert root == {"id": 1, "url": A, "title": "Alpha", "status": "live", "depth": 0}
    assert bravo["depth"] == charlie["depth"] == 1
    assert leaf == {
        "id": None,
        "url": X,
        "title": X_ANCHOR,
        "status": "not_archived",
        "depth": 1,
    }
    first = graph["edges"][0]
    assert set(first) == {"id", "from", "to", "url", "kind", "anchor", "position"}
    assert (first["url"], first["kind"], first["anchor"], first["position"]) == (
        B,
        "lire_aussi",
        "Bravo",
        0,
    )


def test_depth_2_never_revisits(db: Path) -> None:
    graph = related_json(db, A, "--depth", "2")
    assert keys(graph) == [1, 2, X, 3, 4]  # A once, though B -> A closes a cycle
    assert pairs(graph) == [(1, 2), (1, X), (2, 1), (3, 1), (2, 4)]  # each edge once
    assert graph["nodes"][-1]["depth"] == 2
    assert graph["edges"][-1]["kind"] == "inline"


def test_directions(db: Path) -> None:
    out = related_json(db, A, "--depth", "2", "--direction", "out")
    assert keys(out) == [1, 2, X, 4]
    assert pairs(out) == [(1, 2), (1, X), (2, 1), (2, 4)]
    incoming = related_json(db, A, "--depth", "5", "--direction", "in")
    assert keys(incoming) == [1, 2, 3]
    assert pairs(incoming) == [(2, 1), (3, 1), (1, 2)]
    assert keys(related_json(db, D, "--direction", "in")) == [4, 2]
    assert related_json(db, D, "--direction", "out")["edges"] == []


def test_depth_0_and_any_url_of_the_article(db: Path) -> None:
    graph = related_json(db, A + "?utm_source=x", "--depth", "0")
    assert keys(graph) == [1] and graph["edges"] == []


def test_python_api(db: Path) -> None:
    with Archive(db, readonly=True) as archive:
        graph = graph_module.related_graph(archive, 2, depth=1, direction="out")
        assert list(graph.nodes) == [2, 1, 4]
        with pytest.raises(graph_module.UnknownArticleError, match="no article matches 99"):
            graph_module.related_graph(archive, 99)
        with pytest.raises(ValueError):
            graph_module.related_graph(archive, 1, depth=-1)
        with pytest.raises(ValueError):
            graph_module.related_graph(archive, 1, direction="sideways")


def test_many_ids_in_one_hop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The frontier is queried in chunks; a tiny chunk size still finds every edge."""
    path = tmp_path / "hub.db"
    hub = f"{SITE}/hub/"
    spokes = [f"{SITE}/spoke-{n}/" for n in range(7)]
    words = ["un", "deux", "trois", "quatre", "cinq", "six", "sept"]
    with Archive(path) as archive:
        crawl = archive.begin_crawl("sputnik", {})
        for url, word in zip(spokes, words, strict=True):
            page = _article(url, f"Rayon {word}", f"{word} rayon {word}", [(hub, "Hub", "inline")])
            archive.store_article(page, crawl_id=crawl, fetch=Fetch(url=url, status=200))
        page = _article(hub, "Hub", "moyeu central", [(s, "Rayon", "lire_aussi") for s in spokes])
        archive.store_article(page, crawl_id=crawl, fetch=Fetch(url=hub, status=200))
    monkeypatch.setattr(graph_module, "CHUNK", 2)
    with Archive(path, readonly=True) as archive:
        graph = graph_module.related_graph(archive, hub, depth=2)
    assert len(graph.nodes) == 8
    assert len(graph.edges) == 14  # hub -> spoke and spoke -> hub, each once


# -- output formats ----------------------------------------------------------------------


def test_text_tree(db: Path) -> None:
    result = run(db, A, "--depth", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "[1] Alpha",
        f"  {A}",
        "  → [2] Bravo [lire_aussi]",
        '    → [4] Delta "quoted" [inline]',
        f"  → {X_ANCHOR} {X} (not archived) [lire_aussi]",
        "  ← [2] Bravo [lire_aussi] (above)",
        "  ← [3] Charlie [lire_aussi]",
    ]


def test_json_flag_is_format_json(db: Path) -> None:
    by_flag = run(db, A, "--json")
    by_format = run(db, A, "--format", "json")
    assert by_flag.exit_code == by_format.exit_code == 0
    assert by_flag.stdout == by_format.stdout
    json.loads(by_flag.stdout)
    assert "cité" in by_flag.stdout  # ensure_ascii=False


def test_dot(db: Path) -> None:
    result = run(db, A, "--depth", "2", "--format", "dot")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("digraph related {") and text.rstrip().endswith("}")
    assert f'"a1" [label="[1] Alpha\\n{A}", style=bold];' in text
    assert '"a1" -> "a2" [label="lire_aussi"];' in text
    assert '"a2" -> "a4" [label="inline", style=dashed];' in text
    assert '[label="[4] Delta \\"quoted\\"\\n' in text
    leaf = 'Un titre \\"cité\\" \\\\ &lt;script&gt;alert(1)&lt;/script&gt;\\n' + X
    assert f'[label="{leaf}", style=dashed];' in text
    assert f'"a1" -> "{X}" [label="lire_aussi"];' in text
    assert "<script>" not in text
    assert text.count("\n") == len(text.splitlines())  # no raw line break inside a label


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ('say "hi"', 'say \\"hi\\"'),
        ("a\\b", "a\\\\b"),
        ("one\ntwo\r\nthree", "one\\ntwo\\nthree"),
        ("<script>x</script> & co", "&lt;script&gt;x&lt;/script&gt; &amp; co"),
    ],
)
def test_dot_escape(raw: str, escaped: str) -> None:
    assert graph_module.dot_escape(raw) == escaped


def test_output_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.dot"
    result = run(db, A, "--format", "dot", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("digraph related {")


@pytest.mark.parametrize("output_format", ["svg", "png"])
def test_render_without_graphviz(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    out = tmp_path / f"graph.{output_format}"
    result = run(db, A, "--format", output_format, "-o", str(out))
    assert result.exit_code == 1
    assert "Graphviz's dot is not installed; use --format dot and render it elsewhere" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_render_with_an_empty_path(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    result = run(db, A, "--format", "svg", "-o", str(tmp_path / "graph.svg"))
    assert result.exit_code == 1
    assert "Graphviz's dot is not installed" in result.output


def test_render_runs_dot(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """svg/png pipe the DOT text to ``dot -Tsvg`` and write what it prints (a stand-in
    ``dot`` here, that keeps its arguments beside the output file)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    args = tmp_path / "graph.svg.args"
    fake.write_text(f'#!/bin/sh\necho "$*" > "{args}"\ncat\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    out = tmp_path / "graph.svg"
    result = run(db, A, "--format", "svg", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote 4 nodes, 4 edges to {out}" in result.stdout
    assert out.read_text(encoding="utf-8").startswith("digraph related {")
    assert Path(f"{out}.args").read_text(encoding="utf-8").strip() == "-Tsvg"


def test_render_failure_is_an_error(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\necho 'syntax error' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = run(db, A, "--format", "png", "-o", str(tmp_path / "graph.png"))
    assert result.exit_code == 1
    assert "dot failed (exit 3): syntax error" in result.output


# -- errors ------------------------------------------------------------------------------


def test_png_goes_to_stdout_unless_a_terminal(db: Path) -> None:
    """Not a terminal here (CliRunner): the PNG bytes go to stdout as dot writes them."""
    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is missing: `make test` installs it")
    result = run(db, A, "--format", "png")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"\x89PNG\r\n\x1a\n")


def test_unknown_article(db: Path) -> None:
    for key in (f"{SITE}/nope/", "99"):
        result = run(db, key)
        assert result.exit_code == 1
        assert f"no article matches {key}" in result.output
        assert "Traceback" not in result.output


def test_bad_arguments(db: Path, tmp_path: Path) -> None:
    assert run(db, A, "--depth", "-1").exit_code == 2
    assert run(db, A, "--direction", "sideways").exit_code == 2
    assert run(db, A, "--format", "pdf").exit_code == 2
    missing = tmp_path / "missing.db"
    result = run(missing, A)
    assert result.exit_code == 1 and "no archive at" in result.output
    assert not missing.exists()
