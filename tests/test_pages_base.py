"""The site-independent helpers of ``extraction.pages.base``."""

from __future__ import annotations

from datetime import timedelta, timezone

import lxml.html
import pytest

from extraction.pages.base import (
    ArticlePage,
    collapse_ws,
    decode_html,
    looks_like_logo,
    normalize_datetime,
    paragraphs,
    parse_count,
    parse_json_ld,
    split_names,
    visible_text,
)

MOSCOW = timezone(timedelta(hours=3))
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-06-21T10:52+0300", "2017-06-21T10:52:00+03:00"),
        ("2017-06-21T10:52:00+03:00", "2017-06-21T10:52:00+03:00"),
        ("2017-06-21T07:52:00Z", "2017-06-21T07:52:00+00:00"),
        ("2017-06-21T10:52:00.123+03:00", "2017-06-21T10:52:00+03:00"),
        ("2017-06-21T10:52", "2017-06-21T10:52:00+03:00"),
        ("2017-06-21 10:52:30", "2017-06-21T10:52:30+03:00"),
        ("2017-06-21", "2017-06-21T00:00:00+03:00"),
        ("1498031520", "2017-06-21T10:52:00+03:00"),
        ("1498031520000", "2017-06-21T10:52:00+03:00"),
        ("21.06.2017 10:52", "2017-06-21T10:52:00+03:00"),
        ("10:52 21.06.2017", "2017-06-21T10:52:00+03:00"),
        ("10:52 GMT 21.06.2017", "2017-06-21T10:52:00+00:00"),
        ("(mis à jour: 11:03 21.06.2017)", "2017-06-21T11:03:00+03:00"),
        ("21 juin 2017 à 10h52", "2017-06-21T10:52:00+03:00"),
        ("1er août 2017", "2017-08-01T00:00:00+03:00"),
        ("  2017-06-21T10:52+0300 ", "2017-06-21T10:52:00+03:00"),
    ],
)
def test_normalize_datetime(value: str, expected: str) -> None:
    assert normalize_datetime(value, MOSCOW) == expected


@pytest.mark.parametrize("value", [None, "", "hier", "2017-13-45T10:00", "32.13.2017", "12"])
def test_normalize_datetime_gives_none_for_garbage(value: str | None) -> None:
    assert normalize_datetime(value, MOSCOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # As the current platform writes it (sputniknews.cn's article:published_time).
        ("20260729T1319+0800", "2026-07-29T13:19:00+08:00"),
        ("20260729T131905+0800", "2026-07-29T13:19:05+08:00"),
        ("20260729T1319+08:00", "2026-07-29T13:19:00+08:00"),
        ("20260729T1319+08", "2026-07-29T13:19:00+08:00"),
        ("20260729T1319-0430", "2026-07-29T13:19:00-04:30"),
        ("20260729T1319Z", "2026-07-29T13:19:00+00:00"),
        ("20260729T1319", "2026-07-29T13:19:00+03:00"),  # no offset: the default zone
        (" 20260729T1319+0800\n", "2026-07-29T13:19:00+08:00"),
    ],
)
def test_normalize_datetime_reads_the_basic_iso_format(value: str, expected: str) -> None:
    assert normalize_datetime(value, MOSCOW) == expected


@pytest.mark.parametrize(
    "value",
    [
        "20261329T1319+0800",  # month 13
        "20260231T1319+0800",  # 31 February
        "20260729T2519+0800",  # hour 25
        "20260729T1360+0800",  # minute 60
        "20260729T1319+2500",  # an offset of a day or more
        "20260729T13+0800",  # no minutes
        "20260729T13190+0800",  # five digits of time
        "2026729T1319+0800",  # seven digits of date
        "20260729 1319+0800",  # no T
        "20260729t1319+0800",  # a lower-case t
        "20260729T1319+08000",  # a five-digit offset
        "20260729T1319 MSK",  # a zone name: only the extended format takes one
        "20260729",  # a date alone: neither a unix time nor a basic-format time
    ],
)
def test_malformed_basic_iso_dates_give_none(value: str) -> None:
    assert normalize_datetime(value, MOSCOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a \n\t b  ", "a b"),
        (f"et{NBSP} l'élaboration", "et l'élaboration"),
        (f"«{NBSP}Bonjour{NBSP}»", f"«{NBSP}Bonjour{NBSP}»"),
        (f"Européennes{NNBSP}: oui", f"Européennes{NNBSP}: oui"),
        (f"22,4{NBSP}{NBSP}%", "22,4 %"),
        (f"{NBSP}x{NBSP}", "x"),
        ("   ", None),
        (None, None),
    ],
)
def test_collapse_ws(text: str | None, expected: str | None) -> None:
    assert collapse_ws(text) == expected


def test_visible_text_skips_scripts_comments_and_hidden() -> None:
    el = lxml.html.fragment_fromstring(
        "<div>Un <b>deux</b><script>x()</script><!-- c --> trois"
        "<span hidden>caché</span><span style='display: none'>caché</span>"
        "<br>quatre<style>p{}</style></div>"
    )
    assert visible_text(el) == "Un deux trois quatre"


def test_paragraphs_split_on_blocks_and_double_br() -> None:
    el = lxml.html.fragment_fromstring(
        "<div>Avant<p>Un<br>même</p>entre<div><p>Deux</p></div>A<br><br>B<br> <br>C</div>"
    )
    assert [p.text for p in paragraphs(el)] == ["Avant", "Un même", "entre", "Deux", "A", "B", "C"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"@type": "NewsArticle", "headline": "x"}', [{"@type": "NewsArticle", "headline": "x"}]),
        ('{"a": 1,}', [{"a": 1}]),
        ('<!-- {"a": 1} -->', [{"a": 1}]),
        ('{"a": "deux\nlignes"}', [{"a": "deux\nlignes"}]),
        ('{"a": 1}{"b": 2}', [{"a": 1}, {"b": 2}]),
        ('[{"a": 1}, {"b": 2}];', [[{"a": 1}, {"b": 2}]]),
        ('{"a": ', []),
        ("", []),
    ],
)
def test_parse_json_ld_tolerates_broken_json(text: str, expected: list[object]) -> None:
    assert parse_json_ld(text) == expected


def test_json_ld_article_found_in_graph_and_lists() -> None:
    html = """<html><head>
    <script type="application/ld+json">[{"@type": "WebSite"}, {"@graph": [
      {"@type": "BreadcrumbList"}, {"@type": ["schema:NewsArticle"], "headline": "Titre",
       "datePublished": "2017-06-21T10:52+0300", "inLanguage": "fr-FR"}]}]</script>
    <script type="application/ld+json">{broken</script></head></html>"""
    page = ArticlePage("https://example.org/a", html)
    assert page.json_ld_article["headline"] == "Titre"
    item = page.to_item()
    assert (item.title, item.language, item.published_at) == (
        "Titre",
        "fr",
        "2017-06-21T10:52:00+03:00",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6822", 6822),
        ("6 822", 6822),
        (f"6{NBSP}822 vues", 6822),
        ("1,2K", 1200),
        ("Vues: 45", 45),
        ("UserPageVisits:48213", 48213),
        ("6822, 3 commentaires", 6822),
        ("", None),
        ("aucune", None),
        ("9223372036854775807 vues", (1 << 63) - 1),  # SQLite's largest integer
        ("9223372036854775808 vues", None),  # one more: no archive could store it
        ("99999999999999999999999", None),
        ("99999999999999999K", None),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


def test_split_names() -> None:
    assert split_names("Par Hélène Carrère d’Encausse et Loïc Le Guédard, Ivan") == [
        "Hélène Carrère d’Encausse",
        "Loïc Le Guédard",
        "Ivan",
    ]


def test_logos_are_not_photos() -> None:
    assert looks_like_logo("https://fr.sputniknews.com/i/logo/logo-social.png")
    assert not looks_like_logo("https://cdnfr2.img.sputniknews.com/images/102935/86/1029358662.jpg")


def test_canonical_falls_back_to_og_url_and_resolves() -> None:
    html = '<html><head><meta property="og:url" content="/a/b"></head></html>'
    assert ArticlePage("https://example.org/x", html).canonical_url == "https://example.org/a/b"
    html = '<html><head><link rel="Canonical" href="https://example.org/c"></head></html>'
    assert ArticlePage("https://example.org/x", html).canonical_url == "https://example.org/c"
    assert ArticlePage("https://example.org/x", "<html></html>").canonical_url is None


@pytest.mark.parametrize(
    ("body", "label", "expected"),
    [
        ('<meta charset="windows-1252"><p>été'.encode("cp1252"), "utf-8", "été"),
        ("<p>été".encode("cp1252"), None, "été"),
        ("\ufeff<p>été".encode(), "cp1252", "été"),
        ("<p>été".encode(), "no-such-encoding", "été"),
        ("<p>été".encode(), "iso-8859-1", "été"),
        ("<p>été".encode("latin-1"), "iso-8859-1", "été"),
    ],
)
def test_decode_html_survives_wrong_labels(body: bytes, label: str | None, expected: str) -> None:
    encoding, text = decode_html(body, label)
    assert text.endswith(expected) and not text.startswith("\ufeff"), (encoding, text)


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x01", b'{"json": true}', b"%PDF-1.4\n", b"<div>" * 5000, b"<html><body><h1>x"],
)
def test_bad_input_gives_an_empty_article_not_a_crash(body: bytes) -> None:
    article = ArticlePage("https://example.org/x", body).to_item()
    assert not article.is_article


def test_a_malformed_link_target_is_none_not_an_error() -> None:
    from extraction.pages.base import ArticlePage

    page = ArticlePage("http://127.0.0.1:8000/a/", b"<html><body></body></html>")
    assert page.link_target("http://[::1") is None
    assert page.link_target("javascript:alert(1)") == "javascript:alert(1)"
    assert page.link_target("/b/") == "http://127.0.0.1:8000/b/"
