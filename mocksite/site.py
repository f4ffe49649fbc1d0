"""The pure, deterministic model of the replica site: no I/O, no per-article state.

Articles are numbered 0..N-1, newest first. Everything about article ``i`` is computed on
demand from ``(seed, i)``: its day, rubrique, ids and URLs by arithmetic, its text from
``random.Random(f"{seed}:{i}")``. Memory does not grow with N.

- Days: article 0 is published on END_DATE (2017-06-21, a Wednesday); going back in time,
  each day holds ``DAY_COUNTS[days_back % 7]`` articles (22 to 45, fewer at weekends).
- Rubriques: blocks of 5 consecutive indices share a rubrique, blocks cycle through the 8
  rubriques, so page p of a rubrique is computed without scanning.
- Ids: ``SEED_ID - 97 * i``; short codes: an affine bijection of i modulo 36**4, in base 36.
- Article 0 is the seed article (parsed from the bundled seed file); articles 1-4 are the
  four articles its "Lire aussi:" block links to, titled with its four headlines.

The site changes over days (``day``, see ``evolution``): day 1 is the site above; each later
day adds articles (indices N, N+1, ... with ids above the seed's, dated after END_DATE),
edits some, unpublishes some and brings some back. Planted duplicates (``duplicates``) exist
on every day; encoding and boilerplate faults (``faults``) and hostile routes (``hostile``,
see ``mocksite.hostile``) only when asked for.
"""

from __future__ import annotations

import bisect
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from . import duplicates, faults, hostile, vocab
from .evolution import GONE_STATUS, MAX_DAY, Schedule, mix
from .seed import SeedArticle, load_seed
from .text import Writer, capfirst, contract, jaccard, slugify, typo

MAX_ARTICLES = 1_000_000
SEED_INDEX = 0
SEED_RELATED = (1, 2, 3, 4)
SEED_ID = 1031882478
ID_STEP = 97
END_DATE = date(2017, 6, 21)
SEED_MINUTE = 10 * 60 + 52
TZ = timezone(timedelta(hours=3))  # Moscow time, as the Sputnik CMS writes it
DAY_COUNTS = (38, 41, 36, 22, 24, 39, 45)  # by days back from a Wednesday: Wed, Tue, ... Thu
_DAY_STARTS = tuple(sum(DAY_COUNTS[:k]) for k in range(7))
WEEK = sum(DAY_COUNTS)
BLOCK = 5
PAGE_SIZE = 20
CURRENT_SHARE = 0.25

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SHORT_MOD = 36**4
_SHORT_MUL = 1_000_003  # coprime with 36**4 = 2**8 * 3**8
_SHORT_ADD = 424_242
_SHORT_INV = pow(_SHORT_MUL, -1, _SHORT_MOD)

_LEGACY_PATH = re.compile(r"/([a-z_]+)/(\d{8})(\d{1,12})-([a-z0-9-]*)/?")
_CURRENT_PATH = re.compile(r"/(\d{8})/([a-z0-9-]*)-(\d{1,12})\.html")
_SHORT_PATH = re.compile(r"/s/([0-9a-z]{4})")

RUBRIQUE_SLUGS = tuple(slug for slug, _ in vocab.RUBRIQUES)


@dataclass(frozen=True)
class Meta:
    """What listings need of an article: cheap to compute (no body)."""

    index: int
    article_id: int
    layout: str
    rubrique: int
    title: str
    url_path: str
    published: datetime
    modified: datetime | None
    first_title: str = ""  # the title as first published ("Lire aussi" blocks keep it)

    @property
    def lastmod(self) -> datetime:
        return self.modified or self.published


@dataclass(frozen=True)
class Segment:
    """A run of paragraph text, plain or inside <a>/<strong>/<em>."""

    text: str
    tag: str = ""
    href: str = ""


@dataclass(frozen=True)
class Related:
    index: int
    path: str
    title: str
    kind: str  # "inline" or "lire_aussi"
    after: int = -1  # inline blocks: the body paragraph (0-based) they follow


@dataclass(frozen=True)
class Variant:
    """Markup choices that change nesting but not content."""

    wrapper: bool = False  # an extra wrapper div around the article
    # current layout only (legacy pages give the caption as img alt+title, as the real ones)
    caption_mode: int = 0  # 0: img alt+title, 1: img alt, 2: figcaption
    end_in_text: bool = True  # legacy: end "Lire aussi:" block inside .b-article__text
    absolute_links: bool = True  # related hrefs absolute (else root-relative)
    credit_first: bool = True  # no longer shown: legacy credits sit under the photo, as real
    inline_style: int = 0  # legacy inline block: 0 div.b-inject, 1 <p><strong>Lire aussi:</strong>
    spacing: int = 0  # whitespace-only edits so far: extra spaces and newlines inside text


@dataclass(frozen=True)
class BodyPhoto:
    """A photo set in the article text (current layout), after paragraph ``after``."""

    after: int
    path: str
    caption: str
    credit: str


@dataclass(frozen=True)
class ArticleSpec:
    """Everything needed to render an article page."""

    meta: Meta
    short_path: str
    lead: str
    paragraphs: tuple[tuple[Segment, ...], ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image_url: str | None
    image_caption: str | None
    image_credit: str | None
    views: int
    related: tuple[Related, ...]
    variant: Variant
    body_photos: tuple[BodyPhoto, ...] = ()

    @property
    def body(self) -> str:
        return "\n\n".join(paragraph_text(p) for p in self.paragraphs)


def paragraph_text(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments)


class Site:
    """The replica of Sputnik France with ``articles`` articles, deterministic in ``seed``.

    ``articles`` is N, the number of articles on day 1; ``day`` (1 to MAX_DAY) is the day the
    site shows; ``faults`` serves some articles with charset, mojibake or boilerplate faults;
    ``hostile`` adds the hostile routes (``hostile_routes()``), linked from the home page;
    ``change_rate`` (a share of N, e.g. 0.01) sets how much changes from one day to the next
    (``evolution.Schedule``; default: the usual pace, about 7% a day).
    """

    #: set on the instance only when not the default: a default site keeps its attributes
    hostile: bool = False
    change_rate: float | None = None

    def __init__(
        self,
        articles: int,
        seed: int = 1,
        day: int = 1,
        faults: bool = False,
        hostile: bool = False,
        change_rate: float | None = None,
    ) -> None:
        if not 1 <= articles <= MAX_ARTICLES:
            raise ValueError(f"articles must be between 1 and {MAX_ARTICLES}, not {articles}")
        if not 1 <= day <= MAX_DAY:
            raise ValueError(f"day must be between 1 and {MAX_DAY}, not {day}")
        if change_rate is not None:
            if not 0 < change_rate <= 1:
                raise ValueError(f"change_rate must be in (0, 1], not {change_rate}")
            self.change_rate = change_rate
        self.articles = articles
        self.seed = seed
        self.day = day
        self.faults = faults
        if hostile:
            self.hostile = True
        self._seed_article: SeedArticle = load_seed()
        if self._seed_article.category != vocab.RUBRIQUES[0][1]:
            raise ValueError("the seed article's rubrique must be the first rubrique")
        self._meta = lru_cache(maxsize=4096)(self._compute_meta)
        #: the site's "now" on day 1: the seed article is the newest thing on it
        self._now = datetime.combine(END_DATE, time(), TZ) + timedelta(minutes=SEED_MINUTE)
        self._duplicates = duplicates.Planting(seed, articles)
        self._schedule = Schedule(seed, articles, self.protected, change_rate)

    def __repr__(self) -> str:
        extra = (f", day={self.day}" if self.day != 1 else "") + (", faults=True" * self.faults)
        extra += ", hostile=True" * self.hostile
        extra += f", change_rate={self.change_rate}" if self.change_rate is not None else ""
        return f"Site(articles={self.articles}, seed={self.seed}{extra})"

    def on_day(self, day: int) -> Site:
        """The same site (articles, seed, faults, hostile, change rate) as it is on ``day``."""
        return Site(self.articles, self.seed, day, self.faults, self.hostile, self.change_rate)

    # ---- public API ------------------------------------------------------------------

    @property
    def seed_index(self) -> int:
        return SEED_INDEX

    def article(self, index: int) -> dict[str, Any]:
        """Ground truth: the fields a correct parser extracts from article ``index``'s page.

        Text is verbatim (non-breaking spaces kept); ``body`` is the paragraphs after the lead
        joined by a blank line, without "Lire aussi" blocks; ``related`` lists inline blocks
        then the end block, in page order; paths are root-relative. The fields are those of
        the current day (edits included); a gone article keeps its last text. Times are
        ISO 8601 with the offset the article's page gives: UTC for a legacy page (its
        schema.org dates end in "Z", as on the real pages), the site's zone for a current
        one. With ``faults=True`` the dict also has ``fault``: the fault its page is served
        with, or None; the text stays the correct one, what a careful parser recovers.
        """
        truth = self._truth(self.spec(index))
        if self.faults:
            truth["fault"] = self.fault(index)
        return truth

    def _truth(self, spec: ArticleSpec) -> dict[str, Any]:
        meta = spec.meta
        return {
            "index": meta.index,
            "url_path": meta.url_path,
            "layout": meta.layout,
            "title": meta.title,
            "lead": spec.lead,
            "body": spec.body,
            "authors": list(spec.authors),
            "category": vocab.RUBRIQUES[meta.rubrique][1],
            "tags": list(spec.tags),
            "published_at": _as_given(meta, meta.published),
            "modified_at": _as_given(meta, meta.modified) if meta.modified else None,
            "image_url": spec.image_url,
            "image_caption": spec.image_caption,
            "image_credit": spec.image_credit,
            "short_path": spec.short_path,
            "views": spec.views,
            "related": [{"path": r.path, "title": r.title, "kind": r.kind} for r in spec.related],
        }

    def status(self, index: int) -> tuple[int, str | None]:
        """(HTTP status, root-relative Location or None) of article ``index``'s page today."""
        self._check(index)
        gone = self._schedule.gone(index, self.day)
        if gone is None or not gone.day <= self.day < (gone.returns or MAX_DAY + 1):
            return 200, None
        if gone.kind == "redirected":
            return 301, "/" if gone.to_home else f"/{RUBRIQUE_SLUGS[self.rubrique_of(index)]}/"
        return GONE_STATUS[gone.kind], None

    def changes(self, day: int) -> list[dict[str, Any]]:
        """What changed on ``day`` compared with ``day - 1``: dicts {index, kind}, by index.

        Kinds: new, gone_404, gone_410, gone_451, redirected, returned, corrected_paragraph,
        new_title, tags_changed, paragraph_added, whitespace_only. An article that comes back
        edited has both "returned" and its edit.
        """
        if not 1 <= day <= MAX_DAY:
            raise ValueError(f"day must be between 1 and {MAX_DAY}, not {day}")
        return self._schedule.changes(day)

    def history(self, index: int) -> list[tuple[int, str]]:
        """Every (day, kind) change of article ``index`` up to the current day, oldest first."""
        self._check(index)
        return self._schedule.history(index, self.day)

    def articles_on(self, day: int | None = None) -> int:
        """How many articles the site has on ``day`` (default: the current day)."""
        return self._schedule.articles_on(self.day if day is None else day)

    @property
    def new_per_day(self) -> int:
        return self._schedule.per_day

    def protected(self, index: int) -> bool:
        """Never edited nor unpublished: the seed, its four related, planted originals."""
        return index <= max(SEED_RELATED) or self._duplicates.kind(index) is not None

    def fault(self, index: int) -> str | None:
        """The fault article ``index`` is served with (``faults=True`` only), else None."""
        if not self.faults or self.protected(index):
            return None
        return faults.fault_of(mix(self.seed, index, faults.KEY))

    # ---- hostile routes --------------------------------------------------------------

    def hostile_routes(self, port: int | None = None) -> list[dict[str, Any]]:
        """Ground truth of the hostile routes, in home-page order (none unless ``hostile``).

        Each: {kind, path, expected, note}, ``expected`` being the fetch outcome a correct
        crawler records for ``path``. Routes serving an article page also have ``title``
        (``hostile_article(kind)`` has every field); counted failures have ``failures``:
        {status, count}; redirect_loop has ``loop`` (its two paths); private_links has
        ``links``: {url, expected: "refused"} for each link to refuse. ``port`` is the one
        the http://localhost link of private_links names (``RunningSite`` passes its own).
        """
        if not self.hostile:
            return []
        routes: list[dict[str, Any]] = []
        for route in hostile.ROUTES:
            entry: dict[str, Any] = {
                "kind": route.kind,
                "path": route.path,
                "expected": route.expected,
                "note": route.note,
            }
            if route.kind in hostile.ARTICLE_KINDS:
                entry["title"] = self.hostile_spec(route.kind, port).meta.title
            failure = hostile.FAILURES.get(route.kind)
            if failure is not None:
                entry["failures"] = {"status": failure.status, "count": failure.count}
            if route.kind == "redirect_loop":
                entry["loop"] = [route.path, hostile.BY_KIND["redirect_loop_b"].path]
            if route.kind == "private_links":
                entry["links"] = [
                    {"url": href, "expected": "refused"} for href, _ in hostile.private_links(port)
                ]
            routes.append(entry)
        return routes

    def hostile_article(self, kind: str, port: int | None = None) -> dict[str, Any]:
        """Ground truth of the article page a hostile route serves: ``article()``'s fields.

        ``index`` is None (no index: the article is in no listing) and ``hostile`` the kind.
        """
        truth = self._truth(self.hostile_spec(kind, port))
        truth.update(index=None, short_path=None, hostile=kind)
        return truth

    def hostile_spec(self, kind: str, port: int | None = None) -> ArticleSpec:
        """The article page of hostile route ``kind`` (one of ``hostile.ARTICLE_KINDS``).

        A legacy article of its own, drawn from ``(seed, kind)``, dated END_DATE, without
        image nor short URL; "Lire aussi" links to the site's articles (private_links: to the
        addresses to refuse).
        """
        if kind not in hostile.ARTICLE_KINDS:
            raise ValueError(f"hostile route {kind!r} serves no article page")
        route = hostile.BY_KIND[kind]
        slug = route.path.split("/")[1]
        rng = random.Random(f"{self.seed}:hostile:{kind}")
        writer = _writer(rng, slug)
        title = writer.sentence(writer.draw("titre"))
        if kind == "script_title":
            title = hostile.SCRIPT_TITLE
        number = hostile.ARTICLE_ROUTES.index(route)
        meta = Meta(
            index=-1,
            article_id=route.article_id or 0,
            layout="legacy",
            rubrique=RUBRIQUE_SLUGS.index(slug),
            title=title,
            url_path=route.path,
            published=datetime.combine(END_DATE, time(6), TZ) + timedelta(minutes=7 * number),
            modified=None,
            first_title=title,
        )
        authors = tuple(rng.sample(vocab.AUTHORS, rng.randint(0, 2)))
        lead = writer.sentence(rng.choice(vocab.LEADS))
        paragraphs = self._paragraphs(-1, rng, writer)
        if kind == "script_title":
            paragraphs = ((Segment(hostile.SCRIPT_PARAGRAPH),), *paragraphs)
        pool = [writer.context["C1"], writer.context["C2"], writer.context["P"]]
        tags = tuple(dict.fromkeys(typo(t) for t in pool[: rng.randint(1, 3)]))
        related = self._related(-1, rng, len(paragraphs))
        if kind == "private_links":
            related = tuple(
                Related(-1, href, link_title, "lire_aussi")
                for href, link_title in hostile.private_links(port)
            )
        return ArticleSpec(
            meta=meta,
            short_path="",
            lead=lead,
            paragraphs=paragraphs,
            authors=authors,
            tags=tags,
            image_url=None,
            image_caption=None,
            image_credit=None,
            views=int(rng.lognormvariate(7.2, 1.1)) + 20,
            related=related,
            variant=Variant(),
        )

    # ---- planted duplicates ----------------------------------------------------------

    def duplicate_kind(self, index: int) -> str | None:
        """The kind of duplicate planted for original ``index``, if any."""
        return self._duplicates.kind(index)

    def planted_duplicates(self) -> list[dict[str, Any]]:
        """Ground truth of every planted duplicate, by original index.

        Each: {kind, original_index, url, host, expected}. ``url`` is a path (with query for
        tracking) on ``host``: "main" (the site's base URL) or "mobile" (the mobile base URL,
        ``RunningSite.mobile_base_url``). ``expected`` is "alias" (same article under another
        URL) for tracking, amp, mobile and copy, "near_duplicate" for syndicated.
        """
        return [self.planted(index) for index in self._duplicates.originals()]

    def planted(self, index: int) -> dict[str, Any]:
        kind = self._duplicates.kind(index)
        if kind is None:
            raise ValueError(f"article {index} has no planted duplicate")
        return {
            "kind": kind,
            "original_index": index,
            "url": self.duplicate_url(index),
            "host": "mobile" if kind == "mobile" else "main",
            "expected": "near_duplicate" if kind == "syndicated" else "alias",
        }

    def duplicate_url(self, index: int) -> str:
        """Path (and query) of the planted duplicate of ``index``."""
        kind = self._duplicates.kind(index)
        path = self.url_path(index)
        if kind == "tracking":
            return f"{path}?{self._duplicates.tracking_query(index)}"
        if kind == "amp":
            return "/amp" + path
        if kind == "mobile":
            return path
        if kind == "copy":
            return f"/archives/{self.article_id(index)}/"
        if kind == "syndicated":
            title = self._syndicated_title(index)
            return f"/partenaires/{slugify(title)}-{self.article_id(index)}.html"
        raise ValueError(f"article {index} has no planted duplicate")

    def planted_article(self, index: int) -> dict[str, Any]:
        """Ground truth of the page at the planted duplicate of ``index``: its fields."""
        kind = self._duplicates.kind(index)
        if kind != "syndicated":
            truth = self.article(index)
            if kind == "copy":
                truth["url_path"] = self.duplicate_url(index)
            return truth
        spec = self.syndicated_spec(index)
        truth = self.article(index)
        truth.update(
            url_path=spec.meta.url_path,
            title=spec.meta.title,
            body=spec.body,
            short_path=None,
        )
        return truth

    def index_for_duplicate(self, kind: str, article_id: int) -> int | None:
        """The original whose ``kind`` duplicate carries ``article_id``, else None."""
        index = self._old_index(article_id)
        if index is None or self._duplicates.kind(index) != kind:
            return None
        return index

    def duplicate_page(self, position: int) -> int | None:
        """The original at ``position`` in the list of planted duplicates (by index)."""
        return self._duplicates.original_at(position)

    def duplicate_count(self) -> int:
        return self._duplicates.count()

    def index_for_path(self, path: str) -> int | None:
        """The index of the article at this canonical or short path (or URL), else None."""
        path = urlsplit(path).path
        match = _SHORT_PATH.fullmatch(path)
        if match:
            return self.index_for_short_code(match.group(1))
        index = self.decode_article_path(path)
        if index is None or self.meta(index).url_path != path:
            return None
        return index

    def article_paths(self) -> Iterator[str]:
        """Canonical paths of every article of the current day, newest first."""
        for position in range(self.articles_on()):
            yield self.meta(self.index_at(position)).url_path

    def index_at(self, position: int) -> int:
        """The article at ``position`` (0 = newest) of the current day's list."""
        added = self.articles_on() - self.articles
        return self.articles + added - 1 - position if position < added else position - added

    def newest(self, count: int) -> list[int]:
        """The ``count`` newest articles of the current day, newest first."""
        return [self.index_at(p) for p in range(min(count, self.articles_on()))]

    # ---- arithmetic ------------------------------------------------------------------

    def meta(self, index: int) -> Meta:
        self._check(index)
        return self._meta(index)

    def url_path(self, index: int) -> str:
        return self.meta(index).url_path

    def article_id(self, index: int) -> int:
        if index < self.articles:
            return SEED_ID - ID_STEP * index
        return SEED_ID + ID_STEP * (index - self.articles + 1)  # added after day 1: newer ids

    def short_path(self, index: int) -> str:
        value = (index * _SHORT_MUL + _SHORT_ADD) % _SHORT_MOD
        code = ""
        for _ in range(4):
            value, digit = divmod(value, 36)
            code = _B36[digit] + code
        return f"/s/{code}"

    def index_for_short_code(self, code: str) -> int | None:
        try:
            value = int(code, 36)
        except ValueError:
            return None
        index = ((value - _SHORT_ADD) * _SHORT_INV) % _SHORT_MOD
        return index if index < self.articles_on() else None

    def decode_article_path(self, path: str) -> int | None:
        """The index whose id an article-shaped path carries (slug, date, rubrique unchecked)."""
        match = _LEGACY_PATH.fullmatch(path)
        if match:
            article_id = match.group(3)
        else:
            match = _CURRENT_PATH.fullmatch(path)
            if not match:
                return None
            article_id = match.group(3)
        return self.index_for_id(int(article_id))

    def index_for_id(self, article_id: int) -> int | None:
        """The index of the article with this id on the current day, else None."""
        index = self._old_index(article_id)
        if index is not None:
            return index
        delta = article_id - SEED_ID
        if delta <= 0 or delta % ID_STEP:
            return None
        index = self.articles + delta // ID_STEP - 1
        return index if index < self.articles_on() else None

    def _old_index(self, article_id: int) -> int | None:
        delta = SEED_ID - article_id
        if delta < 0 or delta % ID_STEP:
            return None
        index = delta // ID_STEP
        return index if index < self.articles else None

    def rubrique_of(self, index: int) -> int:
        if index >= self.articles:
            index -= self.articles
        return (index // BLOCK) % len(vocab.RUBRIQUES)

    @staticmethod
    def _in_rubrique(count: int, rubrique: int) -> int:
        """How many of ``count`` consecutive articles (blocks of 5 cycling) are in a rubrique."""
        cycle = BLOCK * len(vocab.RUBRIQUES)
        full, rest = divmod(count, cycle)
        return full * BLOCK + max(0, min(BLOCK, rest - rubrique * BLOCK))

    @staticmethod
    def _rubrique_member(rubrique: int, k: int) -> int:
        block = rubrique + len(vocab.RUBRIQUES) * (k // BLOCK)
        return block * BLOCK + k % BLOCK

    def rubrique_count(self, rubrique: int) -> int:
        added = self.articles_on() - self.articles
        return self._in_rubrique(self.articles, rubrique) + self._in_rubrique(added, rubrique)

    def rubrique_article(self, rubrique: int, k: int) -> int:
        """The k-th newest article (0-based) of a rubrique."""
        fresh = self._in_rubrique(self.articles_on() - self.articles, rubrique)
        if k < fresh:
            return self.articles + self._rubrique_member(rubrique, fresh - 1 - k)
        return self._rubrique_member(rubrique, k - fresh)

    def rubrique_page(self, rubrique: int, page: int) -> tuple[list[int], bool]:
        """Indices on page ``page`` (1-based) of a rubrique, and whether a next page exists."""
        count = self.rubrique_count(rubrique)
        first = (page - 1) * PAGE_SIZE
        last = min(count, first + PAGE_SIZE)
        return [self.rubrique_article(rubrique, k) for k in range(first, last)], last < count

    def rubrique_pages(self, rubrique: int) -> int:
        return max(1, -(-self.rubrique_count(rubrique) // PAGE_SIZE))

    def day_of(self, index: int) -> tuple[int, int]:
        """(days back from END_DATE, position in that day, 0 = newest).

        Articles added after day 1 are dated after END_DATE: their days back are negative.
        """
        if index >= self.articles:
            per_day = self._schedule.per_day
            fresh, position = divmod(index - self.articles, per_day)
            return -(fresh + 1), per_day - 1 - position
        week, rest = divmod(index, WEEK)
        weekday = bisect.bisect_right(_DAY_STARTS, rest) - 1
        return week * 7 + weekday, rest - _DAY_STARTS[weekday]

    def day_articles(self, days_back: int) -> range:
        """The articles dated ``days_back`` days before END_DATE, newest first."""
        if days_back < 0:
            per_day = self._schedule.per_day
            first = self.articles + (-days_back - 1) * per_day
            if first >= self.articles_on():
                return range(0)
            return range(first + per_day - 1, first - 1, -1)
        start = (days_back // 7) * WEEK + _DAY_STARTS[days_back % 7]
        return range(
            min(start, self.articles), min(start + DAY_COUNTS[days_back % 7], self.articles)
        )

    @property
    def first_days_back(self) -> int:
        """Days back of the newest calendar day with articles (0 on day 1, then negative)."""
        return 1 - self.day

    def day_count(self) -> int:
        """Number of calendar days that have articles (the newest is END_DATE on day 1)."""
        return self.day_of(self.articles - 1)[0] + self.day

    def day_date(self, days_back: int) -> date:
        return END_DATE - timedelta(days=days_back)

    def days_back(self, day: date) -> int | None:
        delta = (END_DATE - day).days
        last = self.day_of(self.articles - 1)[0]
        return delta if self.first_days_back <= delta <= last else None

    # ---- generation ------------------------------------------------------------------

    def _check(self, index: int) -> None:
        if not 0 <= index < self.articles_on():
            raise IndexError(f"article index {index} out of range 0..{self.articles_on() - 1}")

    def _rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{index}")

    def _published(self, index: int, roll: float) -> datetime:
        days_back, position = self.day_of(index)
        if index == SEED_INDEX:
            minute = SEED_MINUTE
        else:
            start, end = (20, SEED_MINUTE) if days_back == 0 else (360, 1430)
            per_day = self._schedule.per_day if days_back < 0 else DAY_COUNTS[days_back % 7]
            width = (end - start) / per_day
            minute = int(end - position * width - roll * 0.8 * width)
        midnight = datetime.combine(self.day_date(days_back), time(), TZ)
        return midnight + timedelta(minutes=minute)

    def _path(self, index: int, layout: str, rubrique: int, title: str, day: date) -> str:
        ymd = day.strftime("%Y%m%d")
        article_id = self.article_id(index)
        if layout == "legacy":
            return f"/{RUBRIQUE_SLUGS[rubrique]}/{ymd}{article_id}-{slugify(title)}/"
        return f"/{ymd}/{slugify(title)}-{article_id}.html"

    def _draw_dates(
        self, index: int, rng: random.Random
    ) -> tuple[float, datetime, datetime | None]:
        """The first draws of an article's RNG: its layout roll, when it was published and
        first modified (``None``: not modified)."""
        layout_roll, minute_roll, modified_roll = rng.random(), rng.random(), rng.random()
        modified_after = timedelta(minutes=rng.randint(4, 600))
        published = self._published(index, minute_roll)
        modified = None
        if index != SEED_INDEX and modified_roll < 0.3:
            now = self._now
            if index >= self.articles:  # added later: modified the day it was published
                now = datetime.combine(published.date(), time(23, 59), TZ)
            modified = min(published + modified_after, now)
        return layout_roll, published, modified

    def _draw_meta(self, index: int, rng: random.Random) -> tuple[Meta, Writer]:
        """The first draws of an article's RNG, shared by listings and full pages."""
        layout_roll, published, modified = self._draw_dates(index, rng)
        rubrique = self.rubrique_of(index)
        writer = _writer(rng, RUBRIQUE_SLUGS[rubrique])
        title = writer.sentence(writer.draw("titre"))
        layout = "current" if layout_roll < CURRENT_SHARE else "legacy"
        if index == SEED_INDEX:
            layout, title = "legacy", self._seed_article.title
        elif index in SEED_RELATED:
            title = self._seed_article.related_titles[SEED_RELATED.index(index)]
        meta = Meta(
            index=index,
            article_id=self.article_id(index),
            layout=layout,
            rubrique=rubrique,
            title=title,
            url_path=self._path(index, layout, rubrique, title, published.date()),
            published=published,
            modified=modified,
            first_title=title,
        )
        return meta, writer

    def lastmod(self, index: int) -> datetime:
        """``meta(index).lastmod``, without drawing the rest of the article: a sitemap index
        dates each sitemap by the newest of its articles' (about 4 times cheaper)."""
        self._check(index)
        _, published, modified = self._draw_dates(index, self._rng(index))
        for day, kind in self._schedule.edits(index, self.day):
            if kind != "whitespace_only":
                modified = self._edit_time(index, day)
        return modified or published

    def _compute_meta(self, index: int) -> Meta:
        meta, writer = self._draw_meta(index, self._rng(index))
        title, modified = meta.title, meta.modified
        for day, kind in self._schedule.edits(index, self.day):
            if kind == "whitespace_only":
                continue
            modified = self._edit_time(index, day)
            if kind == "new_title":
                rng = self._edit_rng(index, day)
                editor = Writer(rng, RUBRIQUE_SLUGS[meta.rubrique], writer.context)
                for _ in range(10):
                    fresh = editor.sentence(editor.draw("titre"))
                    if fresh != title:
                        break
                else:
                    fresh = f"{title} (mis à jour)"
                title = fresh
        if (title, modified) == (meta.title, meta.modified):
            return meta
        return replace(meta, title=title, modified=modified)

    def _edit_rng(self, index: int, day: int) -> random.Random:
        return random.Random(f"{self.seed}:{index}:edit:{day}")

    def _edit_time(self, index: int, day: int) -> datetime:
        midnight = datetime.combine(END_DATE + timedelta(days=day - 1), time(), TZ)
        return midnight + timedelta(minutes=360 + mix(self.seed, index, day) % 960)

    def _image_path(self, meta: Meta, rng: random.Random) -> str:
        image_id = meta.article_id - 18 - meta.index % 7
        if meta.layout == "legacy":
            return f"/images/{image_id // 10000}/{image_id % 100:02d}/{image_id}.jpg"
        day = meta.published
        return (
            f"/img/{day.year:04x}/{day.month:02x}/{day.day:02x}/{image_id}"
            f"_0:0:3072:1728_1920x0_80_0_0_{rng.getrandbits(32):08x}.jpg"
        )

    def _other_articles(self, index: int, rng: random.Random, count: int) -> list[int]:
        """Distinct other existing articles, mostly a little older than ``index``."""
        chosen: list[int] = []
        if self.articles < 2:
            return chosen
        if index >= self.articles:  # added later: older are earlier additions, then day 1's
            fresh = index - self.articles
            for _ in range(count * 8):
                if len(chosen) == count:
                    break
                offset = rng.randint(1, 400)
                other = index - offset if offset <= fresh else offset - fresh - 1
                if other >= self.articles and offset > fresh:
                    other = rng.randrange(self.articles)
                if other != index and other not in chosen:
                    chosen.append(other)
            return chosen
        for _ in range(count * 8):
            if len(chosen) == count:
                break
            other = index + rng.randint(1, 400)
            if other >= self.articles:
                other = rng.randrange(self.articles)
            if other != index and other not in chosen:
                chosen.append(other)
        return chosen

    def spec(self, index: int) -> ArticleSpec:
        """Everything on article ``index``'s page, as it is on the current day."""
        self._check(index)
        if index == SEED_INDEX:
            return self._seed_spec()
        spec, writer = self._first_spec(index)
        edits = self._schedule.edits(index, self.day)
        if not edits:
            return spec
        paragraphs, tags, spacing = spec.paragraphs, spec.tags, spec.variant.spacing
        image_url = spec.image_url
        slug = RUBRIQUE_SLUGS[spec.meta.rubrique]
        for day, kind in edits:
            rng = self._edit_rng(index, day)
            editor = Writer(rng, slug, writer.context)
            if kind == "new_title" and image_url and self.photo_changes(index, day):
                image_url = _new_photo(image_url, day)
            if kind == "corrected_paragraph":
                paragraphs = _corrected(paragraphs, rng, editor)
            elif kind == "paragraph_added":
                paragraphs += (_new_paragraph(rng, editor),)
            elif kind == "tags_changed":
                tags = _changed_tags(tags, rng, slug)
            elif kind == "whitespace_only":
                spacing += 1
        return replace(
            spec,
            meta=self.meta(index),
            paragraphs=paragraphs,
            tags=tags,
            image_url=image_url,
            variant=replace(spec.variant, spacing=spacing),
        )

    def photo_changes(self, index: int, day: int) -> bool:
        """Whether the ``new_title`` edit of ``index`` on ``day`` also puts a new photo (under
        a new path, as real sites do) on an article that has one: every other such edit."""
        return mix(self.seed, index, day, 7) % 2 == 0

    def _first_spec(self, index: int) -> tuple[ArticleSpec, Writer]:
        """Article ``index`` as first published (title and dates as of the current day)."""
        rng = self._rng(index)
        meta, writer = self._draw_meta(index, rng)
        person, role = writer.context["P"], writer.context["P_role"]

        roll = rng.random()
        author_count = rng.randint(2, 3) if roll < 0.15 else 1 if roll < 0.55 else 0
        authors = tuple(rng.sample(vocab.AUTHORS, author_count))

        image_url = caption = credit = None
        if rng.random() >= 0.10:
            if rng.random() < 0.3:
                caption = f"{capfirst(role)} {person}"
            else:
                caption = writer.expand(writer.draw("photo"))
            if rng.random() < 0.4:
                caption += vocab.CAPTION_SUFFIX
            caption = typo(contract(caption))
            credit = rng.choice(vocab.CREDITS).format(
                ph=rng.choice(vocab.PHOTOGRAPHERS),
                ag=rng.choice(vocab.AGENCY_PHOTOGRAPHERS),
                year=meta.published.year,
            )
            image_url = self._image_path(meta, rng)

        lead = writer.sentence(rng.choice(vocab.LEADS))
        paragraphs = self._paragraphs(index, rng, writer)

        tags: tuple[str, ...] = ()
        if rng.random() >= 0.10:
            pool = [writer.context["C1"], writer.context["C2"], person]
            pool += rng.sample(vocab.BY_RUBRIQUE[RUBRIQUE_SLUGS[meta.rubrique]]["tag"], 5)
            rng.shuffle(pool)
            tags = tuple(dict.fromkeys(typo(t) for t in pool[: rng.randint(2, 7)]))

        related = self._related(index, rng, len(paragraphs))
        views = int(rng.lognormvariate(7.2, 1.1)) + 20
        variant = Variant(
            wrapper=rng.random() < 0.5,
            caption_mode=rng.choice((0, 0, 1, 2)),
            end_in_text=rng.random() < 0.5,
            absolute_links=rng.random() < 0.5,
            credit_first=rng.random() < 0.6,
            inline_style=rng.randrange(2),
        )
        spec = ArticleSpec(
            meta=self.meta(index),
            short_path=self.short_path(index),
            lead=lead,
            paragraphs=paragraphs,
            authors=authors,
            tags=tags,
            image_url=image_url,
            image_caption=caption,
            image_credit=credit,
            views=views,
            related=related,
            variant=variant,
            body_photos=self._body_photos(index, meta, len(paragraphs)) if image_url else (),
        )
        return spec, writer

    def _body_photos(self, index: int, meta: Meta, paragraphs: int) -> tuple[BodyPhoto, ...]:
        """A photo in the text of about one current-layout article with a main photo in
        three (drawn apart from the article's own random stream, which stays as it was)."""
        if meta.layout != "current" or paragraphs < 2 or mix(self.seed, index, 13) % 3:
            return ()
        rng = random.Random(f"{self.seed}:{index}:body_photo")
        day = meta.published
        path = (
            f"/img/{day.year:04x}/{day.month:02x}/{day.day:02x}/{meta.article_id + 1}"
            f"_0:0:1280:720_1280x0_80_0_0_{rng.getrandbits(32):08x}.jpg"
        )
        credit = rng.choice(vocab.CREDITS).format(
            ph=rng.choice(vocab.PHOTOGRAPHERS),
            ag=rng.choice(vocab.AGENCY_PHOTOGRAPHERS),
            year=day.year,
        )
        caption = f"Photo d'illustration {meta.article_id % 997}"
        return (BodyPhoto(rng.randrange(paragraphs - 1), path, caption, credit),)

    def body_photos(self, index: int) -> list[dict[str, str]]:
        """Ground truth: the photos in article ``index``'s text, in page order, each
        ``{path, caption, credit}`` (none but on some current-layout pages)."""
        return [
            {"path": p.path, "caption": p.caption, "credit": p.credit}
            for p in self.spec(index).body_photos
        ]

    def _paragraphs(
        self, index: int, rng: random.Random, writer: Writer
    ) -> tuple[tuple[Segment, ...], ...]:
        phrases = rng.sample(vocab.PHRASES, len(vocab.PHRASES))
        paragraphs = []
        used = 0
        for _ in range(rng.randint(3, 8)):
            segments: list[Segment] = []
            for k in range(rng.choice((1, 2, 2, 3))):
                if k:
                    segments.append(Segment(" "))
                sentence = writer.sentence(phrases[used % len(phrases)])
                used += 1
                roll = rng.random()
                if roll < 0.04 and self.articles > 1:
                    other = self._other_articles(index, rng, 1)[0]
                    segments.append(Segment(sentence, "a", self.meta(other).url_path))
                elif roll < 0.07:
                    segments.append(Segment(sentence, "strong"))
                elif roll < 0.09:
                    segments.append(Segment(sentence, "em"))
                else:
                    segments.append(Segment(sentence))
            paragraphs.append(tuple(segments))
        return tuple(paragraphs)

    def _related(self, index: int, rng: random.Random, paragraph_count: int) -> tuple[Related, ...]:
        if rng.random() < 0.15:
            return ()
        end_count = rng.randint(2, 5)
        inline_count = 0
        if rng.random() < 0.20 / 0.85:
            inline_count = 1 if rng.random() < 0.75 else 2
        targets = self._other_articles(index, rng, end_count + inline_count)
        inline_count = min(inline_count, max(0, len(targets) - 1))
        afters = sorted(rng.sample(range(paragraph_count - 1), inline_count))
        related = []
        for k, other in enumerate(targets):
            meta = self.meta(other)  # the headline as it was when this article was written
            if k < inline_count:
                related.append(Related(other, meta.url_path, meta.first_title, "inline", afters[k]))
            else:
                related.append(Related(other, meta.url_path, meta.first_title, "lire_aussi"))
        return tuple(related)

    # ---- syndicated copies ------------------------------------------------------------

    def _syndicated_title(self, index: int) -> str:
        meta = self.meta(index)
        choice = mix(self.seed, index, _SYNDICATED_KEY) % 3
        if choice == 1:
            return f"{vocab.RUBRIQUES[meta.rubrique][1]}{NBSP}: {meta.title}"
        if choice == 2:
            return f"{meta.title}, selon les médias"
        return meta.title

    def syndicated_spec(self, index: int) -> ArticleSpec:
        """The partner's near-copy of article ``index``: one or two sentences changed.

        Its word 5-shingles keep a Jaccard similarity of at least SYNDICATED_MIN_JACCARD
        with the original's (title, lead and body).
        """
        if self._duplicates.kind(index) != "syndicated":
            raise ValueError(f"article {index} has no syndicated copy")
        spec, writer = self._first_spec(index)
        title = self._syndicated_title(index)
        original = " ".join((spec.meta.title, spec.lead, spec.body))
        slug = RUBRIQUE_SLUGS[spec.meta.rubrique]
        paragraphs = spec.paragraphs
        for changes in (2, 1, 0):
            rng = random.Random(f"{self.seed}:{index}:syndicated:{changes}")
            editor = Writer(rng, slug, writer.context)
            paragraphs = spec.paragraphs
            for _ in range(changes):
                paragraphs = _rewritten(paragraphs, rng, editor)
            if not changes:  # one sentence added: always close enough
                paragraphs = _sentence_added(paragraphs, rng, editor)
            text = " ".join((title, spec.lead, "\n\n".join(map(paragraph_text, paragraphs))))
            if jaccard(original, text) >= SYNDICATED_MIN_JACCARD:
                break
        meta = replace(spec.meta, title=title, url_path=self.duplicate_url(index))
        return replace(spec, meta=meta, paragraphs=paragraphs, short_path="")

    def _seed_spec(self) -> ArticleSpec:
        seed = self._seed_article
        meta = self._meta(SEED_INDEX)
        related = []
        for index, title in zip(SEED_RELATED, seed.related_titles, strict=True):
            path = self._compute_meta(index).url_path  # may lie beyond a tiny site (N < 5)
            related.append(Related(index, path, title, "lire_aussi"))
        return ArticleSpec(
            meta=meta,
            short_path=self.short_path(SEED_INDEX),
            lead=seed.lead,
            paragraphs=tuple((Segment(p),) for p in seed.paragraphs),
            authors=(),
            tags=seed.tags,
            image_url=self._image_path(meta, self._rng(SEED_INDEX)),
            image_caption=seed.caption,
            image_credit=seed.credit,
            views=seed.views,
            related=tuple(related),
            variant=Variant(),
        )


def _as_given(meta: Meta, moment: datetime) -> str:
    """``moment`` written with the offset ``meta``'s page gives it (see ``Site.article``)."""
    if meta.layout == "legacy":
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat()


def _writer(rng: random.Random, slug: str) -> Writer:
    """An article's writer for rubrique ``slug``: its countries, person, org, theme, city."""
    first, second = rng.sample(vocab.COUNTRIES_BY_RUBRIQUE[slug], 2)
    person, role = rng.choice(vocab.PERSONS[slug])
    context = {"P": person, "P_role": role}
    for key, name in (("C1", first), ("C2", second)):
        forms = vocab.COUNTRIES[name]
        context.update({key: name, f"{key}_le": forms[1], f"{key}_en": forms[2]})
        context[f"{key}_de"] = forms[3]
    writer = Writer(rng, slug, context)
    for key, pool in (("O", "org"), ("T", "theme"), ("V", "ville")):
        writer.context[key] = writer.expand(writer.draw(pool))
    return writer


# ---- edits and rewrites (pure functions of the paragraphs and an RNG) ----------------------

_SYNDICATED_KEY = 0x53594E44
SYNDICATED_MIN_JACCARD = 0.65
NBSP = "\xa0"
_NUMBER = re.compile(r"\d+")

Paragraphs = tuple[tuple[Segment, ...], ...]


def _sentences(paragraphs: Paragraphs, links: bool = False) -> list[tuple[int, int]]:
    """(paragraph, segment) of every sentence, links included only if asked."""
    return [
        (p, k)
        for p, paragraph in enumerate(paragraphs)
        for k, segment in enumerate(paragraph)
        if segment.text.strip() and (links or segment.tag != "a")
    ]


def _with_segment(paragraphs: Paragraphs, p: int, k: int, text: str) -> Paragraphs:
    paragraph = paragraphs[p]
    changed = (*paragraph[:k], replace(paragraph[k], text=text), *paragraph[k + 1 :])
    return (*paragraphs[:p], changed, *paragraphs[p + 1 :])


def _fresh_sentence(rng: random.Random, editor: Writer, old: str) -> str:
    for _ in range(20):
        sentence = editor.sentence(rng.choice(vocab.PHRASES))
        if sentence != old:
            return sentence
    return old + " Selon nos informations, l’enquête se poursuit."


def _corrected(paragraphs: Paragraphs, rng: random.Random, editor: Writer) -> Paragraphs:
    """One body paragraph corrected: a number in it, or one of its sentences, changes."""
    p, k = rng.choice(_sentences(paragraphs) or _sentences(paragraphs, links=True))
    old = paragraphs[p][k].text
    numbers = list(_NUMBER.finditer(old))
    if numbers and rng.random() < 0.5:
        at = rng.choice(numbers).end() - 1
        digit = str((int(old[at]) + rng.randint(1, 9)) % 10)
        return _with_segment(paragraphs, p, k, old[:at] + digit + old[at + 1 :])
    return _with_segment(paragraphs, p, k, _fresh_sentence(rng, editor, old))


def _new_paragraph(rng: random.Random, editor: Writer) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    for k in range(rng.choice((1, 2))):
        if k:
            segments.append(Segment(" "))
        segments.append(Segment(editor.sentence(rng.choice(vocab.PHRASES))))
    return tuple(segments)


def _new_photo(path: str, day: int) -> str:
    """The path of the photo an edit on ``day`` puts in place of the one at ``path``."""
    return f"{path.removesuffix('.jpg')}_{day:02d}.jpg"


def _changed_tags(tags: tuple[str, ...], rng: random.Random, rubrique: str) -> tuple[str, ...]:
    """One tag added, removed or replaced (tags come from the rubrique's pool)."""
    pool = [t for t in dict.fromkeys(typo(t) for t in vocab.BY_RUBRIQUE[rubrique]["tag"])]
    pool = [t for t in pool if t not in tags]
    moves = (["add"] if pool else []) + (["remove"] if len(tags) >= 2 else [])
    moves += ["replace"] if pool and tags else []
    move = rng.choice(moves) if moves else "remove"
    changed = list(tags)
    if move in ("remove", "replace") and changed:
        changed.pop(rng.randrange(len(changed)))
    if move in ("add", "replace"):
        changed.insert(rng.randint(0, len(changed)), rng.choice(pool))
    return tuple(changed)


def _rewritten(paragraphs: Paragraphs, rng: random.Random, editor: Writer) -> Paragraphs:
    """One sentence reworded, added or removed."""
    removable = [(p, k) for p, k in _sentences(paragraphs) if len(paragraphs[p]) > 2]
    move = rng.choice(("reword", "add", "remove") if removable else ("reword", "add"))
    if move == "add":
        return _sentence_added(paragraphs, rng, editor)
    if move == "remove":
        p, k = rng.choice(removable)
        paragraph = paragraphs[p]
        cut = (k, k + 2) if k == 0 else (k - 1, k + 1)  # the sentence and one separator
        return (*paragraphs[:p], paragraph[: cut[0]] + paragraph[cut[1] :], *paragraphs[p + 1 :])
    p, k = rng.choice(_sentences(paragraphs) or _sentences(paragraphs, links=True))
    return _with_segment(paragraphs, p, k, _fresh_sentence(rng, editor, paragraphs[p][k].text))


def _sentence_added(paragraphs: Paragraphs, rng: random.Random, editor: Writer) -> Paragraphs:
    p = rng.randrange(len(paragraphs))
    added = (Segment(" "), Segment(_fresh_sentence(rng, editor, "")))
    return (*paragraphs[:p], paragraphs[p] + added, *paragraphs[p + 1 :])
