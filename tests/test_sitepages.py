"""Which page object reads an archived or saved page again: the one of its own site."""

from __future__ import annotations

from datetime import date

import pytest

from archive.extract import UNDECLARED_PAGE_CLASS, Page, page_class_of_page
from archive.reparse import extract
from archive.sitepages import crawl_bindings, day_of, page_class_for_site
from extraction import sites
from extraction.pages.choice import PAGE_CLASS
from extraction.pages.generic import GenericArticlePage
from extraction.pages.sputnik import SputnikArticlePage
from extraction.sites.bindings import load_site_modules

REPLICA_URL = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"
LIVE_URL = "https://fr.sputniknews.africa/20240115/la-syrie-entame-1064871234.html"


@pytest.fixture
def test_sites(with_test_sites: None) -> None:
    """The test sites, loaded as the crawl loads them (the registry is restored after)."""
    load_site_modules(["tests.sites_for_tests"])


@pytest.mark.parametrize(
    ("site", "url", "expected"),
    [
        ("sputnik", REPLICA_URL, SputnikArticlePage),  # the stored site, whatever the host
        ("www.journal.example", "https://www.journal.example/a/b-c-d", GenericArticlePage),
        ("", LIVE_URL, SputnikArticlePage),  # no stored site: the URL's
        (None, REPLICA_URL, PAGE_CLASS),  # archived before sites: Sputnik's
    ],
)
def test_an_archived_page_is_read_by_its_site_s_page_object(
    site: str | None, url: str, expected: type
) -> None:
    assert page_class_for_site(site, url, None) is expected


def test_a_site_declared_by_a_module_reads_its_pages(test_sites: None) -> None:
    assert page_class_for_site("replica", REPLICA_URL, date(2024, 1, 1)) is SputnikArticlePage


def test_a_module_that_cannot_be_imported_says_so() -> None:
    with pytest.raises(ValueError, match=r"^cannot import tests\.nope: No module named"):
        load_site_modules(["tests.nope"])


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-05-02T03:00:01.104233+00:00", date(2024, 5, 2)),
        ("2017-06-21T10:00:00Z", date(2017, 6, 21)),
        (None, None),
        ("soon", None),
    ],
)
def test_the_day_of_a_capture(value: str | None, day: date | None) -> None:
    assert day_of(value) == day


def test_extract_reads_a_page_as_its_url_s_site_or_the_one_named() -> None:
    page = Page(source=REPLICA_URL, url=REPLICA_URL, body=b"")
    assert page_class_of_page(page, REPLICA_URL, None) is UNDECLARED_PAGE_CLASS
    assert UNDECLARED_PAGE_CLASS is GenericArticlePage  # a host without a profile
    assert page_class_of_page(page, REPLICA_URL, "sputnik") is SputnikArticlePage
    assert page_class_of_page(page, LIVE_URL, None) is SputnikArticlePage


def test_extract_reads_a_page_as_laid_out_the_day_it_was_fetched(test_sites: None) -> None:
    layout = sites.Layout(GenericArticlePage, date(2019, 12, 31))
    old = sites.Site(
        name="old_layout",
        title="A site with an older layout",
        home="https://old.example/",
        domains=("old.example",),
        page_class=SputnikArticlePage,
        layouts=(layout,),
    )
    sites.register(old)
    url = "https://old.example/a/b-c-d"
    then = Page(source=url, url=url, body=b"", fetched_at="2019-06-01T00:00:00Z")
    now = Page(source=url, url=url, body=b"", fetched_at="2024-06-01T00:00:00Z")
    assert page_class_of_page(then, url, None) is GenericArticlePage
    assert page_class_of_page(now, url, None) is SputnikArticlePage
    assert page_class_for_site("old_layout", url, date(2019, 1, 1)) is GenericArticlePage


def test_a_past_crawl_s_bindings_name_the_site_of_its_unreadable_pages() -> None:
    # What archive reparse reads an unreadable page as: the site its crawl read it as.
    replica = "http://127.0.0.1:8000/"
    as_lemonde = crawl_bindings("news", {"site": "lemonde", "start": replica})
    assert as_lemonde.site_for(replica + "a/b-c-d").name == "lemonde"
    assert crawl_bindings("sputnik", {"start": replica}).site_for(replica + "a/").name == "sputnik"
    live = crawl_bindings("sputnik", {})
    assert live.site_for(LIVE_URL).name == "sputnik"
    assert live.site_for("https://www.dw.com/fr/a-1").name == "dw.com"  # not Sputnik's
    given = crawl_bindings("sputnik", {"urls": replica + "x/"})
    assert given.site_for(replica + "y/").name == "sputnik"
    assert given.site_for("http://127.0.0.2:9000/y/").name == "127.0.0.2"
    assert crawl_bindings(None, {}).site_for(replica).name == "127.0.0.1"


def test_reparse_cleans_a_page_as_the_site_it_is_read_as() -> None:
    # The crawl sets the bound site before cleaning; reparse must too, or a replica page
    # crawled as sputnik keeps Sputnik's chrome and every reparse writes a new version.
    body = (
        "<html><head><title>Un titre</title></head><body><article><h1>Un titre</h1>"
        "<p>Premier paragraphe de l’article, assez long pour être du texte.</p>"
        "<p>Commenter via Sputnik</p>"
        "<p>Second paragraphe de l’article, lui aussi assez long.</p></article></body></html>"
    ).encode()
    as_sputnik = extract(REPLICA_URL, body, {}, GenericArticlePage, "sputnik")
    as_itself = extract(REPLICA_URL, body, {}, GenericArticlePage)
    assert as_sputnik.site == "sputnik"
    assert "Commenter via Sputnik" not in (as_sputnik.body or "")
    assert "Commenter via Sputnik" in (as_itself.body or "")
