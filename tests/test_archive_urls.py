"""URL keys: what makes two URLs lead to the same article."""

from __future__ import annotations

import pytest

from archive.urls import canonical_key, lookup_keys

BASE = "https://fr.sputniknews.com/international/201706211031893210-washington-moscou/"


@pytest.mark.parametrize(
    "variant",
    [
        BASE,
        BASE + "#comments",
        BASE + "?utm_source=twitter&utm_medium=social",
        BASE + "?UTM_Campaign=x",
        BASE + "?fbclid=IwAR0&gclid=1&yclid=2&mc_cid=3&mc_eid=4&_ga=5",
        BASE + "?at_medium=rss&at_campaign=x&xtor=RSS-1",
        "HTTPS://FR.SputnikNews.com/international/201706211031893210-washington-moscou/",
    ],
)
def test_variants_share_the_key(variant: str) -> None:
    assert canonical_key(variant) == BASE


def test_other_parameters_are_kept_and_sorted() -> None:
    assert canonical_key(BASE + "?page=2&utm_source=x&a=1") == BASE + "?a=1&page=2"


def test_path_case_and_trailing_slash_are_kept() -> None:
    assert canonical_key("https://x.fr/Politique/A") == "https://x.fr/Politique/A"
    assert canonical_key("https://x.fr/a/") != canonical_key("https://x.fr/a")


def test_percent_encoding_is_normalised() -> None:
    assert canonical_key("https://x.fr/s%c3%a9curit%C3%A9") == canonical_key(
        "https://x.fr/sécurité"
    )


def test_not_a_url_does_not_raise() -> None:
    assert canonical_key("nope") == "nope"


def test_lookup_keys_start_with_the_key() -> None:
    assert lookup_keys(BASE + "?utm_source=x")[0] == BASE


@pytest.mark.parametrize(
    ("typed", "archived"),
    [
        ("http://x.fr/a/", "https://x.fr/a/"),
        ("https://x.fr/a", "https://x.fr/a/"),
        ("https://x.fr/a/", "http://www.x.fr/a"),
        ("https://www.x.fr/a", "https://x.fr/a"),
        ("https://amp.x.fr/a", "https://x.fr/a"),
        ("https://amp.x.fr/a", "https://www.x.fr/a"),
        ("https://x.fr/amp/a", "https://x.fr/a"),
        ("https://x.fr/a/amp", "https://x.fr/a"),
        ("https://x.fr/a/amp/", "https://x.fr/a/"),
        ("https://x.fr/a.amp", "https://x.fr/a"),
        ("https://x.fr/a.amp.html", "https://x.fr/a.html"),
        ("https://x.fr/a?amp", "https://x.fr/a"),
        ("https://x.fr/a?amp=1&page=2", "https://x.fr/a?page=2"),
        ("https://x.fr/a?outputType=amp", "https://x.fr/a"),
        ("https://x.fr/s%c3%a9curit%C3%A9/", "https://x.fr/sécurité"),
        ("x.fr/a", "https://x.fr/a/"),
    ],
)
def test_lookup_keys_cover_the_common_forms(typed: str, archived: str) -> None:
    assert canonical_key(archived) in lookup_keys(typed)


@pytest.mark.parametrize(
    ("typed", "other"),
    [
        ("https://x.fr/a", "https://x.fr/b"),
        ("https://x.fr/a", "https://x.com/a"),
        ("https://x.fr/a", "https://x.fr/A"),
        ("https://x.fr/a", "https://x.fr/a?page=2"),
        ("https://x.fr/a?outputType=pdf", "https://x.fr/a"),  # only outputType=amp is AMP
        ("https://x.fr/amplifier", "https://x.fr/"),
        ("https://fr.x.com/a", "https://www.fr.x.com/a"),  # www. only before a bare domain
    ],
)
def test_lookup_keys_never_reach_another_page(typed: str, other: str) -> None:
    assert canonical_key(other) not in lookup_keys(typed)


def test_lookup_keys_of_what_is_not_a_url() -> None:
    assert lookup_keys("nope") == ["nope"]
    assert lookup_keys("ftp://x.fr/a") == ["ftp://x.fr/a"]
