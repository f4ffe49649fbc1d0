"""archive.history: pure diffs between versions of an article."""

from __future__ import annotations

from typing import Any

from archive.history import (
    VERSION_KEYS,
    article_history,
    changed_fields,
    diff_versions,
    format_diff,
    text_lines,
)


def version(number: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": number,
        "number": number,
        "crawl_id": 1,
        "fetched_at": f"2024-05-0{number}T03:00:00+00:00",
        "content_hash": f"{number:064x}",
        "title": "Titre",
        "lead": "Le chapeau.",
        "body": "Premier paragraphe. Deuxième phrase.\n\nSecond paragraphe.",
        "authors": [],
        "category": "International",
        "tags": ["Syrie", "Russie"],
        "published_at": "2017-06-21T14:32:00+03:00",
        "modified_at": None,
        "image_url": None,
        "image_caption": None,
        "image_credit": None,
        "extractor": "SputnikArticlePage",
        "extractor_version": "1",
        "capture_id": number,
    }
    return {**base, **fields}


def test_text_lines_one_sentence_per_line_and_a_gap_between_paragraphs() -> None:
    text = "Il a dit\u00a0: « Non.\u00a0» Puis il part. M. Lavrov est là\u00a0!\n\nFin ?"
    assert text_lines(text) == [
        "Il a dit : « Non. »",
        "Puis il part.",
        "M. Lavrov est là !",
        "",
        "Fin ?",
    ]
    assert text_lines(None) == []
    assert text_lines("  \n\n ") == []


def test_whitespace_only_changes_are_no_change() -> None:
    old = version(1)
    new = version(
        2, title=" Titre ", body=old["body"].replace(" ", "\u00a0 "), tags=["Syrie", "Russie"]
    )
    assert changed_fields(old, new) == []
    assert changed_fields(version(1, authors=None), version(2, authors=[])) == []


def test_diff_short_fields_old_and_new() -> None:
    diff = diff_versions(
        version(1), version(2, title="Nouveau titre", modified_at="2017-06-22T10:00:00+03:00")
    )
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["changes"] == {
        "title": {"old": "Titre", "new": "Nouveau titre"},
        "modified_at": {"old": None, "new": "2017-06-22T10:00:00+03:00"},
    }
    lines = format_diff(diff)
    assert '  title: "Titre" -> "Nouveau titre"' in lines
    assert '  modified_at: - -> "2017-06-22T10:00:00+03:00"' in lines


def test_diff_lists_say_what_was_added_and_removed() -> None:
    diff = diff_versions(version(1), version(2, tags=["Syrie", "États-Unis"], authors=["A. B."]))
    assert list(diff["changes"]) == ["tags", "authors"]  # display order
    tags = diff["changes"]["tags"]
    assert (tags["added"], tags["removed"]) == (["États-Unis"], ["Russie"])
    assert "  tags: Syrie, Russie -> Syrie, États-Unis (+États-Unis, -Russie)" in format_diff(diff)


def test_diff_body_is_a_unified_diff_by_sentence() -> None:
    new_body = "Premier paragraphe. Phrase corrigée.\n\nSecond paragraphe."
    diff = diff_versions(version(1), version(2, body=new_body))
    change = diff["changes"]["body"]
    assert change["old"] == version(1)["body"]
    assert change["new"] == new_body
    lines = change["diff"].splitlines()
    assert lines[:2] == ["--- v1 body", "+++ v2 body"]
    assert "-Deuxième phrase." in lines
    assert "+Phrase corrigée." in lines
    assert " Premier paragraphe." in lines  # context
    shown = format_diff(diff)
    assert shown[0] == "  body:"
    assert "    +Phrase corrigée." in shown


def test_article_history_object() -> None:
    versions = [version(1), version(2, title="Deux"), version(3, title="Trois", lead=None)]
    result = article_history(
        {"id": 7, "url": "https://x/a", "title": "Trois", "body": "-"}, versions
    )
    assert result["article"] == {"id": 7, "url": "https://x/a", "title": "Trois"}
    assert [v["number"] for v in result["versions"]] == [1, 2, 3]
    assert set(result["versions"][0]) == set(VERSION_KEYS)
    assert [(d["from"], d["to"]) for d in result["diffs"]] == [(1, 2), (2, 3)]
    assert list(result["diffs"][1]["changes"]) == ["title", "lead"]
    assert "-Le chapeau." in result["diffs"][1]["changes"]["lead"]["diff"]
    assert result["events"] == []


def test_one_version_has_no_diff() -> None:
    result = article_history({"id": 1, "url": "u", "title": "t"}, [version(1)])
    assert result["diffs"] == []
