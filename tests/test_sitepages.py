"""Which page object reads an archived or saved page again: the one of its own site."""

from __future__ import annotations

from datetime import date

import pytest

from archive.extract import UNDECLARED_PAGE_CLASS, Page, page_class_of_page
from archive.sitepages import day_of, load_site_modules, page_class_for_site
from extraction import sites
from extraction.pages.choice import PAGE_CLASS
from extraction.pages.generic import GenericArticlePage
from extraction.pages.sputnik import SputnikArticlePage

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
