"""The history of one article: its versions and what changed between consecutive ones.

Pure functions over the version dicts of :meth:`archive.store.Archive.versions` (oldest
first); the ``archive history`` command prints what they return.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

#: Fields compared between versions, in the order the diff shows them.
DIFF_FIELDS: tuple[str, ...] = (
    "title",
    "lead",
    "body",
    "tags",
    "published_at",
    "modified_at",
    "authors",
    "category",
    "image_url",
    "image_caption",
    "image_credit",
)
#: Fields diffed line by line (a line per sentence, a blank line between paragraphs).
TEXT_FIELDS: frozenset[str] = frozenset({"lead", "body"})
#: Fields holding lists of names.
LIST_FIELDS: frozenset[str] = frozenset({"authors", "tags"})
#: Keys of a version that the ``versions`` list of :func:`article_history` carries.
VERSION_KEYS: tuple[str, ...] = (
    "id",
    "number",
    "crawl_id",
    "fetched_at",
    "content_hash",
    "extractor",
    "extractor_version",
    "capture_id",
    *DIFF_FIELDS,
    "published_at_raw",
    "modified_at_raw",
)

# A sentence ends at . ! ? or … before a space, a closing quote or bracket staying with it
# (French sets a space inside guillemets: "« Non. » Puis"); an initial ("M. Poutine") is no end.
_SENTENCE_END = re.compile(r"(?<=[.!?…])(?<!\b[A-Z]\.)((?: ?[»”\"')\]])?) (?=\S)")
_PARAGRAPHS = re.compile(r"\n\s*\n")


def normalised(value: Any) -> Any:
    """``value`` as versions compare it: NFC text with whitespace runs folded; lists too.

    Whitespace-only changes never make a version, so they never show in a diff either.
    """
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split()) or None
    if isinstance(value, (list, tuple)):
        return [item for item in (normalised(v) for v in value) if item is not None]
    return value


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The :data:`DIFF_FIELDS` whose values differ (whitespace aside), in display order."""
    changed = []
    for name in DIFF_FIELDS:
        before, after = normalised(old.get(name)), normalised(new.get(name))
        if name in LIST_FIELDS:
            before, after = before or [], after or []
        if before != after:
            changed.append(name)
    return changed


def text_lines(text: str | None) -> list[str]:
    """A text as diff lines: one per sentence, an empty line between paragraphs."""
    lines: list[str] = []
    for paragraph in _PARAGRAPHS.split(text or ""):
        folded = " ".join(paragraph.split())
        if not folded:
            continue
        if lines:
            lines.append("")
        lines.extend(s.strip() for s in _SENTENCE_END.sub(r"\1\n", folded).split("\n"))
    return lines


def text_diff(old: str | None, new: str | None, *, old_label: str, new_label: str) -> str:
    """A unified diff (one line per sentence, one line of context) of two texts."""
    lines = difflib.unified_diff(
        text_lines(old), text_lines(new), fromfile=old_label, tofile=new_label, n=1, lineterm=""
    )
    return "\n".join(lines)


def diff_versions(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: ``{"from", "to", "changes"}``.

    ``changes`` maps each changed field to ``{"old", "new"}``, plus ``"diff"`` (unified diff
    text) for lead and body, and ``"added"`` / ``"removed"`` names for authors and tags.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name in changed_fields(old, new):
        change: dict[str, Any] = {"old": old.get(name), "new": new.get(name)}
        if name in TEXT_FIELDS:
            change["diff"] = text_diff(
                old.get(name),
                new.get(name),
                old_label=f"v{old['number']} {name}",
                new_label=f"v{new['number']} {name}",
            )
        elif name in LIST_FIELDS:
            before, after = old.get(name) or [], new.get(name) or []
            change["added"] = [item for item in after if item not in before]
            change["removed"] = [item for item in before if item not in after]
        changes[name] = change
    return {"from": old["number"], "to": new["number"], "changes": changes}


def article_history(
    article: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The object ``archive history --json`` prints.

    ``{"article": {id, url, title}, "versions": [...], "diffs": [...], "events": [...]}``:
    versions oldest first with their fields (and their ``photos`` when given with them), one
    diff per pair of consecutive versions (:func:`diff_versions`), and the article's events
    (gone, redirected, ...) as given.
    """
    return {
        "article": {key: article.get(key) for key in ("id", "url", "title")},
        "versions": [_version(v) for v in versions],
        "diffs": [diff_versions(old, new) for old, new in itertools.pairwise(versions)],
        "events": [dict(event) for event in events],
    }


def _version(version: Mapping[str, Any]) -> dict[str, Any]:
    shown = {key: version.get(key) for key in VERSION_KEYS}
    if "photos" in version:
        shown["photos"] = version["photos"]
    return shown


def _short(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return f'"{value}"' if isinstance(value, str) else str(value)


def format_diff(diff: Mapping[str, Any], *, indent: str = "  ") -> list[str]:
    """Lines of one diff of :func:`diff_versions`, for a terminal.

    Short fields read ``name: old -> new``; lead and body show their unified diff.
    """
    lines: list[str] = []
    for name, change in diff["changes"].items():
        if "diff" in change:
            lines.append(f"{indent}{name}:")
            lines.extend(f"{indent}  {line}".rstrip() for line in change["diff"].splitlines())
            continue
        line = f"{indent}{name}: {_short(change['old'])} -> {_short(change['new'])}"
        marks = [f"+{item}" for item in change.get("added", [])]
        marks += [f"-{item}" for item in change.get("removed", [])]
        lines.append(f"{line} ({', '.join(marks)})" if marks else line)
    if not lines:
        lines.append(f"{indent}(no field differs)")
    return lines
