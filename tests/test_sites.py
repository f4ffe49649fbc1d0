"""Sites as data: the registry, and what every declared site must hold."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from extraction import sites
from extraction.pages import ArticlePage, SputnikArticlePage
from extraction.sites import Site


def test_sputnik_is_declared() -> None:
    site = sites.named("sputnik")
    assert site.home == "https://fr.sputniknews.africa/"
    assert site.page_class is SputnikArticlePage
    assert site.sitemaps == ("/sitemap_article_index.xml",)
    assert site.feeds == ("/export/rss2/archive/index.xml",)


def test_an_unknown_name_says_which_are_known() -> None:
    with pytest.raises(KeyError) as raised:
        sites.named("lemonde-typo")
    assert raised.value.args[0] == "no site named 'lemonde-typo'; known: " + ", ".join(
        s.name for s in sites.all_sites()
    )


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://fr.sputniknews.africa/20230915/titre-1061906052.html", "sputnik"),
        ("https://FR.sputniknews.africa./afrique/", "sputnik"),
        ("https://fr.sputniknews.com/international/201706211031842222-syrie/", "sputnik"),
        ("https://m.fr.sputniknews.com/international/", "sputnik"),
        ("https://sputniknews.africa/", None),  # another edition of the same platform
        ("https://notfr.sputniknews.africa.example.org/", None),
        ("https://www.lemonde.fr/international/article/2024/01/01/x_1_2.html", "lemonde"),
        ("https://www.example.org/international/article/2024/01/01/x_1_2.html", None),
        ("not a url", None),
        ("http://[::1", None),
        ("http://127.0.0.1:8000/20230915/titre-1.html", None),
    ],
)
def test_the_site_of_a_url(url: str, name: str | None) -> None:
    found = sites.site_of(url)
    assert (found.name if found else None) == name


def test_a_second_site_of_the_same_name_is_refused() -> None:
    sputnik = sites.named("sputnik")
    other = Site(
        name="sputnik",
        title="x",
        home="https://example.org/",
        domains=("example.org",),
        page_class=ArticlePage,
        article_path=re.compile("^/a/"),
        listing_path=re.compile("^/l/"),
    )
    with pytest.raises(ValueError, match="two sites named 'sputnik'"):
        sites.register(other)
    assert sites.named("sputnik") is sputnik
    assert sites.register(sputnik) is sputnik  # the same one again: nothing changes


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://fr.sputniknews.com/international/201706211031842222-syrie/", "20170621"),
        ("https://fr.sputniknews.africa/20230915/titre-1061906052.html", "20230915"),
        ("https://fr.sputniknews.africa/afrique/", None),
    ],
)
def test_the_day_an_article_url_carries(url: str, day: str | None) -> None:
    assert sites.named("sputnik").day_of(url) == day


@pytest.mark.parametrize("site", sites.all_sites(), ids=lambda s: s.name)
def test_every_site_is_whole(site: Site) -> None:
    home = urlsplit(site.home)
    assert home.scheme == "https" and site.serves(home.hostname or "")
    assert sites.site_of(site.home) is site
    assert issubclass(site.page_class, ArticlePage)
    assert not site.is_article_path(home.path or "/")
    for path in (*site.sitemaps, *site.feeds):
        assert path.startswith("/") and not site.is_article_path(path)
    assert site.language == "fr"
    assert not set(site.domains) & set(site.old_domains)
