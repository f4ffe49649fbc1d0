"""URL keys: what makes two URLs lead to the same article."""

from __future__ import annotations

import pytest

from archive.urls import canonical_key

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
