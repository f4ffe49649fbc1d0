"""The "Lire aussi" graph around one article: breadth-first, both ways, as JSON, text or DOT.

:func:`related_graph` walks the ``links`` table from an article: the articles it links to
(outgoing), the articles that link to it (incoming), or both, hop by hop up to a depth, never
visiting a node twice. Each hop is a few SQL queries over the whole frontier. A link to a URL
that is not archived is a leaf node. Only the current links of an article count (those seen
when the article itself was last seen, as ``archive show`` lists them).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from archive.store import Archive

Direction = Literal["out", "in", "both"]
#: Directions :func:`related_graph` takes.
DIRECTIONS: tuple[str, ...] = ("out", "in", "both")
#: ``status`` of a node whose URL is not archived.
NOT_ARCHIVED = "not_archived"
#: Ids per ``IN (...)`` list: four lists of them stay under SQLite's oldest limit (999).
CHUNK = 200
DOT_MISSING = "Graphviz's dot is not installed; use --format dot and render it elsewhere"

#: A node's key: the article id, or the URL of a link target that is not archived.
Key = int | str

_LINK_COLUMNS = """
    links.id, links.from_article_id, links.url, links.url_key, links.anchor, links.position,
    links.kind,
    COALESCE(links.target_article_id, (
        SELECT urls.article_id FROM urls
        WHERE urls.url_key = links.url_key AND urls.article_id IS NOT NULL
        ORDER BY urls.last_seen_at DESC LIMIT 1
    ), (SELECT articles.id FROM articles WHERE articles.url = links.url_key)) AS target_id
"""
#: Only the links an article had when last seen (as ``queries.current_links``).
_CURRENT = """
    JOIN articles AS source ON source.id = links.from_article_id
        AND links.last_seen_at = source.last_seen_at
"""


class UnknownArticleError(LookupError):
    """No article matches the id or URL the walk starts from."""


class GraphvizMissingError(RuntimeError):
    """Graphviz's ``dot`` is not on the PATH."""


@dataclass
class Step:
    """One edge as the walk met it while expanding a node: how to draw the tree."""

    edge: int
    """Index in :attr:`Graph.edges`."""
    arrow: str
    """``→`` (outgoing) or ``←`` (incoming)."""
    node: Key
    """The node at the other end."""
    new: bool
    """Whether the walk reached that node through this edge (else it was already seen)."""


@dataclass
class Graph:
    """The nodes and edges the walk reached, in the order it reached them."""

    root: int
    depth: int
    direction: str
    nodes: dict[Key, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    steps: dict[Key, list[Step]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{root, depth, direction, nodes, edges}``, ready for JSON."""
        return {
            "root": self.root,
            "depth": self.depth,
            "direction": self.direction,
            "nodes": list(self.nodes.values()),
            "edges": self.edges,
        }


def related_graph(
    archive: Archive, url_or_id: str | int, depth: int = 1, direction: str = "both"
) -> Graph:
    """The "Lire aussi" graph within ``depth`` hops of an article (by id or any URL of it).

    Nodes: ``{id, url, title, status, depth}``; a link target not archived has ``id`` None,
    its anchor text as ``title`` and ``status`` ``not_archived``. Edges: ``{id, from, to, url,
    kind, anchor, position}``, ``from`` an article id, ``to`` an article id or, for a target
    not archived, its URL. ``direction`` is ``out`` (links the article has), ``in`` (links
    to it) or ``both``. Raises :class:`UnknownArticleError` when no article matches,
    :class:`~archive.urls.AmbiguousURLError` when a URL's looser forms lead to several, and
    ``ValueError`` for a negative depth or an unknown direction.
    """
    if depth < 0:
        raise ValueError(f"depth must be 0 or more, not {depth}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    root = archive._article_id(url_or_id)
    articles = _articles(archive, [root]) if root is not None else {}
    if root is None or root not in articles:
        raise UnknownArticleError(f"no article matches {url_or_id}")
    graph = Graph(root=root, depth=depth, direction=direction)
    graph.nodes[root] = {**articles[root], "depth": 0}
    seen_edges: set[int] = set()
    leaves: dict[str, str] = {}  # url_key -> the leaf's key (its first URL)
    frontier = [root]
    for hop in range(1, depth + 1):
        if not frontier:
            break
        found: list[tuple[int, str, dict[str, Any]]] = []  # (expanded id, arrow, link)
        if direction in ("out", "both"):
            found += [(row["from_article_id"], "→", row) for row in _outgoing(archive, frontier)]
        if direction in ("in", "both"):
            found += [(row["target_id"], "←", row) for row in _incoming(archive, frontier)]
        order = {article_id: index for index, article_id in enumerate(frontier)}
        found.sort(key=lambda item: (order[item[0]], item[1] == "←"))
        new_ids = [
            other
            for _, arrow, row in found
            if (other := row["target_id"] if arrow == "→" else row["from_article_id"]) is not None
            and other not in graph.nodes
        ]
        fetched = _articles(archive, new_ids)
        next_frontier: list[int] = []
        for expanded, arrow, row in found:
            if row["id"] in seen_edges:
                continue
            seen_edges.add(row["id"])
            other = _other_end(graph, leaves, fetched, arrow, row, hop)
            new = graph.nodes[other].get("_new_at") == (expanded, row["id"])
            if new and isinstance(other, int):
                next_frontier.append(other)
            graph.edges.append(_edge(row, leaves))
            graph.steps.setdefault(expanded, []).append(
                Step(edge=len(graph.edges) - 1, arrow=arrow, node=other, new=new)
            )
        frontier = next_frontier
    for node in graph.nodes.values():
        node.pop("_new_at", None)
    return graph


def _other_end(
    graph: Graph,
    leaves: dict[str, str],
    fetched: dict[int, dict[str, Any]],
    arrow: str,
    row: dict[str, Any],
    hop: int,
) -> Key:
    """The key of the node at the far end of ``row``, added to the graph if new."""
    reached_by = (row["from_article_id"] if arrow == "→" else row["target_id"], row["id"])
    if arrow == "←":
        other: Key = row["from_article_id"]
    elif row["target_id"] is not None:
        other = row["target_id"]
    else:
        other = leaves.setdefault(row["url_key"], row["url"])
        if other not in graph.nodes:
            graph.nodes[other] = {
                "id": None,
                "url": row["url"],
                "title": row["anchor"],
                "status": NOT_ARCHIVED,
                "depth": hop,
                "_new_at": reached_by,
            }
        return other
    if other not in graph.nodes:
        assert isinstance(other, int)
        graph.nodes[other] = {**fetched[other], "depth": hop, "_new_at": reached_by}
    return other


def _edge(row: dict[str, Any], leaves: dict[str, str]) -> dict[str, Any]:
    target = row["target_id"]
    return {
        "id": row["id"],
        "from": row["from_article_id"],
        "to": target if target is not None else leaves[row["url_key"]],
        "url": row["url"],
        "kind": row["kind"],
        "anchor": row["anchor"],
        "position": row["position"],
    }


def _chunks(ids: Sequence[int]) -> Iterable[tuple[str, list[int]]]:
    """``(placeholders, ids)`` for each slice of at most :data:`CHUNK` distinct ids."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), CHUNK):
        part = unique[start : start + CHUNK]
        yield ", ".join("?" * len(part)), part


def _articles(archive: Archive, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``{id: {id, url, title, status}}`` for those of ``ids`` that exist."""
    result: dict[int, dict[str, Any]] = {}
    for marks, part in _chunks(ids):
        sql = f"SELECT id, url, title, status FROM articles WHERE id IN ({marks})"
        for row in archive.rows(sql, part):
            result[int(row["id"])] = dict(row)
    return result


def _outgoing(archive: Archive, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The current links of these articles, by article then page order."""
    rows: list[dict[str, Any]] = []
    for marks, part in _chunks(ids):
        sql = f"""
            SELECT {_LINK_COLUMNS} FROM links {_CURRENT}
            WHERE links.from_article_id IN ({marks})
            ORDER BY links.from_article_id, links.position, links.id
        """
        rows += archive.rows(sql, part)
    return rows


def _incoming(archive: Archive, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The current links of other articles that lead to these articles."""
    rows: list[dict[str, Any]] = []
    for marks, part in _chunks(ids):
        sql = f"""
            SELECT * FROM (SELECT {_LINK_COLUMNS} FROM links {_CURRENT}
                WHERE links.target_article_id IN ({marks}) OR links.url_key IN (
                    SELECT url_key FROM urls WHERE article_id IN ({marks})
                    UNION SELECT url FROM articles WHERE id IN ({marks})))
            WHERE target_id IN ({marks})
            ORDER BY target_id, from_article_id, position, id
        """
        rows += archive.rows(sql, part * 4)
    return rows


# -- output -------------------------------------------------------------------------------


def _label(node: dict[str, Any]) -> str:
    title = node["title"] or "-"
    if node["id"] is None:
        return f"{title} {node['url']} (not archived)"
    status = "" if node["status"] == "live" else f" ({node['status']})"
    return f"[{node['id']}] {title}{status}"


def text_lines(graph: Graph) -> list[str]:
    """An indented tree: the root, then under each node the edges met while expanding it,
    ``→`` for a link it has and ``←`` for a link to it; a node reached before is marked
    ``(above)`` and not expanded again."""
    root = graph.nodes[graph.root]
    lines = [_label(root), f"  {root['url']}"]

    def walk(key: Key, indent: int) -> None:
        for step in graph.steps.get(key, []):
            edge = graph.edges[step.edge]
            again = "" if step.new else " (above)"
            pad = "  " * indent
            lines.append(
                f"{pad}{step.arrow} {_label(graph.nodes[step.node])} [{edge['kind']}]{again}"
            )
            if step.new:
                walk(step.node, indent + 1)

    walk(graph.root, 1)
    return lines


def dot_escape(value: str) -> str:
    """``value`` inside a DOT double-quoted string: backslashes, quotes and line breaks
    escaped, ``&``, ``<`` and ``>`` as entities (so no markup reaches an SVG as is)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _dot_id(key: Key) -> str:
    return f'"a{key}"' if isinstance(key, int) else f'"{dot_escape(key)}"'


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text: one box per node (title, then URL), edges labelled by kind; the
    root drawn bold, targets not archived dashed."""
    lines = [
        "digraph related {",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for key, node in graph.nodes.items():
        title = node["title"] or "-"
        head = title if node["id"] is None else f"[{node['id']}] {title}"
        label = dot_escape(f"{head}\n{node['url']}")
        style = ", style=bold" if key == graph.root else ""
        if node["id"] is None:
            style = ", style=dashed"
        elif node["status"] != "live":
            style += ", color=gray"
        lines.append(f'  {_dot_id(key)} [label="{label}"{style}];')
    for edge in graph.edges:
        style = ", style=dashed" if edge["kind"] == "inline" else ""
        label = dot_escape(str(edge["kind"]))
        lines.append(
            f'  {_dot_id(edge["from"])} -> {_dot_id(edge["to"])} [label="{label}"{style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(dot_text: str, output_format: str) -> bytes:
    """``dot_text`` rendered by Graphviz (``svg`` or ``png``): what ``dot`` writes.

    Raises :class:`GraphvizMissingError` when ``dot`` is not installed and ``RuntimeError``
    when it fails.
    """
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissingError(DOT_MISSING)
    done = subprocess.run(
        [dot, f"-T{output_format}"],
        input=dot_text.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"dot failed (exit {done.returncode}): {error}")
    return done.stdout
