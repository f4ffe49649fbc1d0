"""The photos of a crawl: which images a page shows (page objects), which a crawl asks for
(crawler.photos, the spider), and what the store pipeline makes of their answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from archive import Archive
from crawler.extensions.crawl_history import CrawlHistory
from crawler.photos import PHOTO_URL, images_mode
from crawler.pipelines.store import ArchivePipeline
from crawler.spiders.sputnik import SputnikSpider
from extraction.items import ROLE_ARTICLE, ROLE_PHOTO, Article, PageItem
from extraction.pages import SputnikArticlePage
from extraction.pages.base import MAX_BODY_IMAGES
from extraction.pages.generic import GenericArticlePage
from mocksite.photos import photo

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages" / "SputnikArticlePage"
URL = "http://127.0.0.1:8000/international/201706211031850420-washington-moscou/"
MAIN = "http://127.0.0.1:8000/images/103185/04/1031850401.jpg"
BODY = "http://127.0.0.1:8000/images/103185/04/1031850402.jpg"
JPEG = photo("/images/103185/04/1031850401.jpg")


def fixture_page(case: str) -> SputnikArticlePage:
    meta = json.loads((FIXTURES / case / "meta.json").read_text("utf-8"))
    body = (FIXTURES / case / "body.html").read_bytes()
    return SputnikArticlePage(meta["url"], body, meta.get("encoding"))


# -- what a page shows -------------------------------------------------------------------


def test_current_layout_body_media_block() -> None:
    assert fixture_page("inline_lire_aussi").body_images == [
        {
            "url": "https://cdn1.img.sputniknews.africa/img/07e8/03/05/"
            "1065432077_0:0:1280:720_1280x0_80_0_0_b2.jpg",
            "caption": "La face cachée de la Lune photographiée par la sonde Chang'e 4",
            "credit": "© AP Photo / CNSA",
        }
    ]


def test_legacy_layout_body_photo_with_its_credit_in_the_caption() -> None:
    assert fixture_page("inline_lire_aussi_legacy").body_images == [
        {
            "url": "https://fr.sputniknews.com/images/103556/72/1035567822.jpg",
            "caption": "Un TGV en gare de Lyon",
            "credit": "© Sputnik . Irina Kalachnikova",
        }
    ]


@pytest.mark.parametrize("case", ["seed_current", "seed_legacy", "no_photo", "only_related"])
def test_pages_without_body_images(case: str) -> None:
    # Neither the main photo, nor a "Lire aussi" card, a comment avatar or a logo.
    assert fixture_page(case).body_images == []


GENERIC = """<!DOCTYPE html><html lang="fr"><head><title>Un titre</title>
<meta property="og:image" content="https://cdn.example/main.jpg"></head><body>
<header><img src="/logo.png" alt="Le Journal"></header>
<article><h1>Un titre</h1>
<figure><img src="https://cdn.example/main.jpg" alt="main"><figcaption>La une</figcaption></figure>
<p>Premier paragraphe d'un article assez long pour être lu comme le texte de la page.</p>
<figure class="wp-block-image"><img src="/photos/port.jpg" alt="alt du port">
<figcaption>Le port de Marseille <span class="credit">© AFP / Jean Dupont</span></figcaption>
</figure>
<p>Deuxième paragraphe, lui aussi assez long pour compter comme du texte d'article.</p>
<p><img src="/share/facebook.png" alt="Partager"> <img src="/pixel.gif" width="1" height="1"></p>
<figure><img data-src="/photos/quai.jpg" src="data:image/gif;base64,R0lGOD" alt="Le quai"></figure>
<p>Troisième paragraphe pour que le conteneur de l'article soit bien celui-ci et pas un autre.</p>
</article></body></html>"""


def test_generic_page_keeps_the_photos_set_in_figures() -> None:
    page = GenericArticlePage("https://journal.example/a/un-titre.html", GENERIC)
    assert page.image_url == "https://cdn.example/main.jpg"
    assert page.body_images == [
        {
            "url": "https://journal.example/photos/port.jpg",
            "caption": "Le port de Marseille",
            "credit": "© AFP / Jean Dupont",
        },
        {"url": "https://journal.example/photos/quai.jpg", "caption": "Le quai", "credit": None},
    ]


def generic_page(figures: str) -> GenericArticlePage:
    paragraphs = "".join(
        f"<p>Paragraphe {n} d'un article assez long pour être lu comme le texte de la page.</p>"
        for n in range(3)
    )
    html = (
        "<!DOCTYPE html><html lang='fr'><head><title>Un titre</title></head><body>"
        f"<article><h1>Un titre</h1>{paragraphs}{figures}</article></body></html>"
    )
    return GenericArticlePage("https://journal.example/a/un-titre.html", html)


def test_a_srcset_starting_with_an_empty_candidate_gives_its_first_url() -> None:
    page = generic_page(
        '<figure><img data-srcset=", https://cdn.example/a.jpg 1x, https://cdn.example/b.jpg 2x"'
        ' alt="Le port"></figure>'
    )
    assert page.body_images == [
        {"url": "https://cdn.example/a.jpg", "caption": "Le port", "credit": None}
    ]


def test_a_srcset_of_nothing_but_commas_gives_no_image() -> None:
    assert generic_page('<figure><img srcset=" , ,"></figure>').body_images == []


def test_a_page_lists_at_most_max_body_images() -> None:
    figures = "".join(
        f'<figure><img src="/photos/{n}.jpg" alt="Photo {n}"></figure>' for n in range(60)
    )
    images = generic_page(figures).body_images
    assert MAX_BODY_IMAGES == 50
    assert [image["url"] for image in images] == [
        f"https://journal.example/photos/{n}.jpg" for n in range(50)
    ]


# -- which a crawl asks for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mode"), [(None, "main"), ("all", "all"), (" NONE ", "none"), ("main", "main")]
)
def test_images_mode(value: str | None, mode: str) -> None:
    assert images_mode(value) == mode


def test_images_mode_refuses_anything_else() -> None:
    with pytest.raises(ValueError) as raised:
        images_mode("body")
    assert str(raised.value) == "ARCHIVE_IMAGES must be one of main, all, none, not 'body'"


def article(**changes: Any) -> Article:
    values: dict[str, Any] = {
        "url": URL,
        "canonical_url": URL,
        "site": "sputnik",
        "title": "Washington et Moscou discutent",
        "lead": "Le chapeau.",
        "body": "Premier.",
        "image_url": MAIN,
        "image_caption": "Une légende",
    }
    values.update(changes)
    return Article(**values)


BODY_IMAGES: list[dict[str, Any]] = [{"url": BODY, "caption": "Dans le texte", "credit": None}]


def spider_for(db: Path, **settings: Any) -> tuple[SputnikSpider, ArchivePipeline, CrawlHistory]:
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db), **settings})
    crawler.spider = crawler._create_spider(urls=URL)
    history = CrawlHistory.from_crawler(crawler)
    history.spider_opened(crawler.spider)
    assert isinstance(crawler.spider, SputnikSpider)
    return crawler.spider, ArchivePipeline.from_crawler(crawler), history


def article_response(html: str = "") -> HtmlResponse:
    body = html or (FIXTURES / "seed_current" / "body.html").read_text("utf-8")
    return HtmlResponse(URL, body=body, encoding="utf-8", request=Request(URL))


@pytest.mark.parametrize(
    ("mode", "wanted"), [("main", [MAIN]), ("all", [MAIN, BODY]), ("none", None)]
)
def test_the_photos_each_mode_asks_for(tmp_path: Path, mode: str, wanted: list[str] | None) -> None:
    spider, _, _ = spider_for(tmp_path / "archive.db", ARCHIVE_IMAGES=mode)
    if wanted is None:
        assert spider.photos is None
        return
    assert spider.photos is not None
    requests = spider.photos.requests(
        article(), BODY_IMAGES, spider.parse_photo, spider.on_photo_error
    )
    assert [r.url for r in requests] == wanted
    for request in requests:
        assert request.meta == {
            PHOTO_URL: request.url,
            "download_maxsize": 5 * 1024 * 1024,
            "allow_offsite": True,
        }
        assert (request.callback, request.errback) == (spider.parse_photo, spider.on_photo_error)
        assert request.priority < 0  # after the pages


def test_an_article_page_yields_its_item_then_its_photo_requests(tmp_path: Path) -> None:
    spider, _, _ = spider_for(tmp_path / "archive.db", ARCHIVE_IMAGE_MAX_BYTES=1000)
    out = list(spider.parse_article(article_response()))
    [item] = [o for o in out if isinstance(o, PageItem)]
    photos = [o for o in out if isinstance(o, Request) and o.callback == spider.parse_photo]
    assert item.role == ROLE_ARTICLE and item.article is not None
    assert [r.url for r in photos] == [item.article.image_url]
    assert photos[0].meta["download_maxsize"] == 1000
    assert out.index(item) < out.index(photos[0])


def photo_requests(spider: SputnikSpider, out: list[Any]) -> list[Request]:
    return [o for o in out if isinstance(o, Request) and o.callback == spider.parse_photo]


def test_an_unchanged_page_asks_for_its_photo_once(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, _ = spider_for(db)
    out = list(spider.parse_article(article_response()))
    [item] = [o for o in out if isinstance(o, PageItem)]
    [request] = photo_requests(spider, out)
    pipeline.process_item(item)  # the crawl stopped before the photo's turn
    [again] = photo_requests(spider, list(spider.parse_article(article_response())))
    assert again.url == request.url  # never asked for: asked now
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = again  # type: ignore[attr-defined]
    pipeline.process_item(next(iter(spider.on_photo_error(failure))))
    assert photo_requests(spider, list(spider.parse_article(article_response()))) == []


def test_an_article_whose_images_cannot_be_read_is_stored_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(page: SputnikArticlePage) -> list[dict[str, Any]]:
        raise IndexError("list index out of range")

    monkeypatch.setattr(SputnikArticlePage, "body_images", property(broken))
    db = tmp_path / "archive.db"
    spider, pipeline, _ = spider_for(db, ARCHIVE_IMAGES="all")
    out = list(spider.parse_article(article_response()))
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.role == ROLE_ARTICLE and item.article is not None
    assert item.body_images == []
    assert [r.url for r in photo_requests(spider, out)] == [item.article.image_url]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"Could not read the body images of {URL}"
    ]
    pipeline.process_item(item)
    with Archive(db) as archive:
        assert archive.get_article(URL) is not None


def test_a_spider_asks_for_at_most_max_body_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [
        {"url": f"http://127.0.0.1:8000/p/{n}.jpg", "caption": None, "credit": None}
        for n in range(60)
    ]
    monkeypatch.setattr(SputnikArticlePage, "body_images", property(lambda page: many))
    spider, _, _ = spider_for(tmp_path / "archive.db", ARCHIVE_IMAGES="all")
    out = list(spider.parse_article(article_response()))
    [item] = [o for o in out if isinstance(o, PageItem)]
    assert item.body_images == many[:MAX_BODY_IMAGES]
    assert len(photo_requests(spider, out)) == 1 + MAX_BODY_IMAGES


def test_a_debugging_run_asks_for_no_photo(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawler = get_crawler(SputnikSpider, {"ARCHIVE_PATH": str(db), "ARCHIVE_ENABLED": False})
    spider = crawler._create_spider(urls=URL)
    assert isinstance(spider, SputnikSpider) and spider.photos is None
    out = spider.parse_article(article_response())
    assert not [o for o in out if isinstance(o, Request) and o.callback == spider.parse_photo]
    assert not db.exists()


# -- what the store pipeline makes of the answers -----------------------------------------


def photo_response(url: str, body: bytes, content_type: str, status: int = 200) -> Response:
    request = Request(url, meta={PHOTO_URL: url})
    headers = {"Content-Type": content_type}
    return Response(url, status=status, headers=headers, body=body, request=request)


def fetch_rows(db: Path) -> list[dict[str, Any]]:
    with Archive(db) as archive:
        return archive.rows(
            "SELECT url, status, outcome, error FROM fetches"
            " WHERE outcome LIKE 'media%' ORDER BY id"
        )


def test_a_photo_answer_is_kept_and_linked(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, history = spider_for(db)
    pipeline.process_item(PageItem(url=URL, role=ROLE_ARTICLE, status=200, article=article()))
    [item] = spider.parse_photo(photo_response(MAIN, JPEG, "image/jpeg; charset=binary"))
    assert item.role == ROLE_PHOTO
    pipeline.process_item(item)
    history.spider_closed(spider, "finished")
    assert fetch_rows(db) == [{"url": MAIN, "status": 200, "outcome": "media", "error": None}]
    with Archive(db) as archive:
        [main] = archive.get_article(URL)["photos"]  # type: ignore[index]
        [crawl] = archive.crawls()
    assert (main["url"], main["type"], main["size"]) == (MAIN, "image/jpeg", len(JPEG))
    assert (crawl["status"], crawl["fetched"], crawl["errors"]) == ("finished", 1, 0)
    assert history.crawler.stats.get_value("archive/outcome/media") == 1


def test_an_answer_that_is_no_image_is_not_kept(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, _ = spider_for(db)
    [item] = spider.parse_photo(photo_response(MAIN, b"<html>", "text/html; charset=utf-8"))
    pipeline.process_item(item)
    assert fetch_rows(db) == [
        {"url": MAIN, "status": 200, "outcome": "media_error", "error": "not an image: text/html"}
    ]
    with Archive(db) as archive:
        assert archive.db["media"].count == 0


def test_a_photo_answering_an_error_status_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, history = spider_for(db)
    response = photo_response(MAIN, b"gone", "text/plain", status=404)
    failure = Failure(HttpError(response))
    failure.request = response.request  # type: ignore[attr-defined]
    [item] = spider.on_photo_error(failure)
    pipeline.process_item(item)
    history.spider_closed(spider, "finished")
    assert fetch_rows(db) == [
        {"url": MAIN, "status": 404, "outcome": "media_error", "error": "HTTP 404"}
    ]
    with Archive(db) as archive:
        [crawl] = archive.crawls()
    # No page was fetched: the crawl says so, a photo does not count as one.
    assert (crawl["status"], crawl["finish_reason"], crawl["errors"]) == (
        "failed",
        "nothing_fetched",
        0,
    )


def test_a_photo_refused_before_it_was_fetched_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, _ = spider_for(db)
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = Request(MAIN, meta={PHOTO_URL: MAIN})  # type: ignore[attr-defined]
    [item] = spider.on_photo_error(failure)
    pipeline.process_item(item)
    assert fetch_rows(db) == [
        {
            "url": MAIN,
            "status": None,
            "outcome": "media_error",
            "error": "refused: Forbidden by robots.txt",
        }
    ]


def test_a_not_modified_page_asks_for_the_photos_its_version_still_owes(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    spider, pipeline, _ = spider_for(db)
    out = list(spider.parse_article(article_response()))
    [item] = [o for o in out if isinstance(o, PageItem)]
    [request] = photo_requests(spider, out)
    pipeline.process_item(item)  # the crawl stopped before the photo's turn

    def not_modified() -> list[Any]:
        response = Response(URL, status=304, request=Request(URL))
        return list(spider.parse_article(response))

    [again] = photo_requests(spider, not_modified())
    assert (again.url, again.meta[PHOTO_URL]) == (request.url, request.url)
    [kept] = spider.parse_photo(photo_response(again.url, JPEG, "image/jpeg"))
    pipeline.process_item(kept)
    assert photo_requests(spider, not_modified()) == []
    with Archive(db) as archive:
        [main] = archive.get_article(URL)["photos"]  # type: ignore[index]
    assert (main["url"], main["size"]) == (request.url, len(JPEG))
