"""The pure, deterministic model of La Gazette du Val: no I/O, nothing stored per article.

Articles are numbered in publication order, 0 the oldest, one or two a day, seven every
five days, from 16 September 2024 (Europe/Paris wall-clock time: a 60-article site crosses
the end of summer time); everything about article ``i`` is drawn from
``random.Random(f"gazette:{seed}:{i}:...")``. Two draws: ``meta`` (rubrique, story, title,
lead, dates: what listings need) and ``body`` (paragraphs, authors, tags, photo, related
links, paywall).

Days: day 1 has N articles; each later day adds ``NEW_PER_DAY`` and edits about one article
in ``EDIT_EVERY`` of those already out (a correction sentence added to the body, or a new
title), with a later dateModified. Nothing is ever unpublished: a static site apart from that.

Related links of each article (the ground truth, in page order): "À lire aussi" boxes
between body paragraphs (``inline``), sometimes a "Lire aussi" box after the last paragraph
(``lire_aussi``), and the "Sur le même sujet" cards after the article (``module``). With a
``peer`` (the base URL of the Sputnik replica), every third article's first inline box
points to one of that replica's protected articles (never edited nor unpublished there).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..evolution import mix
from ..text import NBSP, capfirst, contract, slugify, typo
from . import words

if TYPE_CHECKING:
    from ..site import Site as SputnikSite

PARIS = ZoneInfo("Europe/Paris")
START_DAY = date(2024, 9, 16)
ARTICLES_PER_WEEK = 7  # ... published in DAYS_PER_WEEK_OF_ARTICLES days
DAYS_PER_WEEK_OF_ARTICLES = 5
JITTER_MINUTES = 240
ID0 = 612_347
ID_STEP = 13
MAX_ARTICLES = 5_000
MIN_ARTICLES = 12  # enough others for the boxes and cards of each article
MAX_DAY = 30
NEW_PER_DAY = 2
EDIT_EVERY = 8
PAGE_SIZE = 20
NEWS_HOURS = 48
#: the Sputnik replica's articles the cross-site boxes point to: its seed article and the
#: four it links to, protected there (never edited nor unpublished) on every day
PEER_INDICES = (0, 1, 2, 3, 4)
#: inline box markups, after real pages (see ``mocksite.gazette.pages``)
INLINE_STYLES = ("catcher", "body_link", "paragraph", "encadre", "widget")

RUBRIQUE_SLUGS = tuple(slug for slug, _ in words.RUBRIQUES)
ARTICLE_PATH = re.compile(
    r"/([a-z-]+)/article/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)_(\d{6,9})\.html"
)
_SLOT = re.compile(r"\{(\^?)(\w+)\}")
_QUOTE = re.compile(r"(«[^»]*»)")


@dataclass(frozen=True)
class Meta:
    """What listings, sitemaps and feeds need of an article."""

    index: int
    article_id: int
    rubrique: int
    title: str
    first_title: str  # as first published: what other pages' boxes and cards show
    lead: str
    url_path: str
    published: datetime
    modified: datetime | None
    story: tuple[tuple[str, str], ...]  # the slots fixed for the whole article

    @property
    def lastmod(self) -> datetime:
        return self.modified or self.published


@dataclass(frozen=True)
class Link:
    """A related link: ``url`` root-relative on the Gazette, absolute on the peer."""

    url: str
    site: str  # "gazette" or "sputnik"
    title: str
    kind: str  # "inline", "lire_aussi" or "module"
    after: int = -1  # inline: the visible body paragraph (0-based) the box follows
    style: str = ""  # inline: one of INLINE_STYLES
    marker: str | None = None  # the box's marker text, None for a box without one


#: a paragraph: runs of (text, tag, href); tag "" (plain), "em" or "a"
Paragraph = tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ArticleSpec:
    meta: Meta
    paragraphs: tuple[Paragraph, ...]  # the visible body paragraphs
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    image_path: str | None
    image_caption: str | None
    image_credit: str | None
    related: tuple[Link, ...]
    paywall_pct: str | None  # "62.4": the notice's share of the article left to read
    jsonld_style: int  # 0: one NewsArticle (Le Monde), 1: a list (Figaro), 2: @graph (Euronews)
    standfirst_in_header: bool  # Le Monde; else after the photo (Figaro)
    absolute_links: bool  # related hrefs absolute (else root-relative)

    @property
    def body(self) -> str:
        return "\n\n".join(paragraph_text(p) for p in self.paragraphs)

    @property
    def paywall_notice(self) -> str | None:
        if self.paywall_pct is None:
            return None
        return words.PAYWALL_NOTICE.format(pct=self.paywall_pct)


def paragraph_text(paragraph: Paragraph) -> str:
    return "".join(text for text, _, _ in paragraph)


def iso(moment: datetime) -> str:
    """ISO 8601 with the Paris offset, to the second (``2024-09-16T07:42:00+02:00``)."""
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


class Gazette:
    """La Gazette du Val with ``articles`` articles on day 1, deterministic in ``seed``.

    ``peer`` is the base URL of the Sputnik replica its cross-site boxes point to (``None``:
    those boxes point within the Gazette); ``peer_seed`` that replica's seed.
    """

    name = "gazette"

    def __init__(
        self,
        articles: int = 60,
        seed: int = 1,
        day: int = 1,
        peer: str | None = None,
        peer_seed: int = 1,
    ) -> None:
        if not MIN_ARTICLES <= articles <= MAX_ARTICLES:
            raise ValueError(f"articles must be between {MIN_ARTICLES} and {MAX_ARTICLES}")
        if not 1 <= day <= MAX_DAY:
            raise ValueError(f"day must be between 1 and {MAX_DAY}, not {day}")
        self.articles = articles
        self.seed = seed
        self.day = day
        self.peer = peer.rstrip("/") if peer else None
        self.peer_seed = peer_seed
        self.meta = lru_cache(maxsize=8192)(self._meta)
        self.spec = lru_cache(maxsize=512)(self._spec)

    def __repr__(self) -> str:
        return f"Gazette(articles={self.articles}, seed={self.seed}, day={self.day})"

    def on_day(self, day: int) -> Gazette:
        return Gazette(self.articles, self.seed, day, self.peer, self.peer_seed)

    # ---- counts, times, paths --------------------------------------------------------

    def articles_on(self, day: int | None = None) -> int:
        """How many articles are out on ``day`` (default: the current day)."""
        return self.articles + ((self.day if day is None else day) - 1) * NEW_PER_DAY

    @property
    def count(self) -> int:
        return self.articles_on()

    def now(self, day: int | None = None) -> datetime:
        """The site's clock on ``day``: shortly after its newest article."""
        return self._published(self.articles_on(day) - 1) + timedelta(minutes=45)

    def _published(self, index: int) -> datetime:
        # 7 articles every 5 days, one or two a day: the first of a day in the morning,
        # the second in the afternoon (Paris wall-clock time, whatever the offset)
        day = index * DAYS_PER_WEEK_OF_ARTICLES // ARTICLES_PER_WEEK
        first = -(-day * ARTICLES_PER_WEEK // DAYS_PER_WEEK_OF_ARTICLES)
        minute = 390 + (index - first) * 300 + mix(self.seed, index, 0x5055) % JITTER_MINUTES
        wall = datetime.combine(START_DAY + timedelta(days=day), time()) + timedelta(minutes=minute)
        return wall.replace(tzinfo=PARIS)

    def birth_day(self, index: int) -> int:
        return 1 if index < self.articles else 2 + (index - self.articles) // NEW_PER_DAY

    def article_id(self, index: int) -> int:
        return ID0 + ID_STEP * index

    def rubrique_of(self, index: int) -> int:
        return mix(self.seed, index, 0x5255) % len(words.RUBRIQUES)

    def url_path(self, index: int) -> str:
        return self.meta(index).url_path

    def article_paths(self) -> list[str]:
        return [self.url_path(i) for i in range(self.count)]

    def newest(self, count: int) -> list[int]:
        return list(range(self.count - 1, max(-1, self.count - 1 - count), -1))

    def index_for_path(self, path: str) -> int | None:
        """The article a path names by its id (any slug, date or rubrique), else None."""
        match = ARTICLE_PATH.fullmatch(path)
        if match is None:
            return None
        offset = int(match.group(6)) - ID0
        if offset < 0 or offset % ID_STEP:
            return None
        index = offset // ID_STEP
        return index if index < self.count else None

    def rubrique_articles(self, rubrique: int) -> list[int]:
        """The rubrique's articles, newest first."""
        return [i for i in range(self.count - 1, -1, -1) if self.rubrique_of(i) == rubrique]

    def rubrique_page(self, rubrique: int, page: int) -> tuple[list[int], bool]:
        """Page ``page`` (from 1) of a rubrique listing, and whether a next page exists."""
        members = self.rubrique_articles(rubrique)
        start = (page - 1) * PAGE_SIZE
        return members[start : start + PAGE_SIZE], start + PAGE_SIZE < len(members)

    def rubrique_pages(self, rubrique: int) -> int:
        return max(1, -(-len(self.rubrique_articles(rubrique)) // PAGE_SIZE))

    # ---- evolution ---------------------------------------------------------------------

    def edit_on(self, index: int, day: int) -> str | None:
        """The edit article ``index`` gets on ``day``: "correction", "new_title" or None."""
        if day < 2 or index >= self.articles_on(day - 1):
            return None
        roll = mix(self.seed, index, day, 0x4544)
        if roll % EDIT_EVERY:
            return None
        return "new_title" if (roll // EDIT_EVERY) % 3 == 0 else "correction"

    def edits(self, index: int) -> list[tuple[int, str]]:
        """(day, kind) of every edit of ``index`` up to the current day, oldest first."""
        found = [(d, self.edit_on(index, d)) for d in range(2, self.day + 1)]
        return [(d, kind) for d, kind in found if kind]

    def changes(self, day: int) -> list[dict[str, Any]]:
        """What changed on ``day`` against ``day - 1``: {index, kind}, kind "new" or an edit."""
        if day < 2:
            return []
        new = range(self.articles_on(day - 1), self.articles_on(day))
        changed = [{"index": i, "kind": "new"} for i in new]
        for index in range(self.articles_on(day - 1)):
            kind = self.edit_on(index, day)
            if kind:
                changed.append({"index": index, "kind": kind})
        return sorted(changed, key=lambda change: int(change["index"]))

    def _edit_time(self, index: int, day: int) -> datetime:
        return self.now(day) - timedelta(minutes=5 + mix(self.seed, index, day) % 600)

    # ---- the article -----------------------------------------------------------------

    def _rng(self, index: int, part: str) -> random.Random:
        return random.Random(f"gazette:{self.seed}:{index}:{part}")

    def _meta(self, index: int) -> Meta:
        if not 0 <= index < self.count:
            raise IndexError(f"no article {index} on day {self.day}")
        rng = self._rng(index, "meta")
        rubrique = self.rubrique_of(index)
        slug = RUBRIQUE_SLUGS[rubrique]
        person, role = rng.choice(words.PEOPLE)
        town, other_town = rng.sample(words.TOWNS, 2)
        story = (
            ("ville", town),
            ("ville2", other_town),
            ("sujet", rng.choice(words.SUBJECTS[slug])),
            ("personne", person),
            ("role", role),
        )
        writer = _Writer(rng, dict(story))
        title = writer.sentence(rng.choice(words.TITLES))
        lead = writer.sentence(rng.choice(words.LEADS))
        published = self._published(index)
        modified: datetime | None = None
        if rng.random() < 0.3:
            limit = self.now(self.birth_day(index)) - timedelta(minutes=1)
            candidate = min(published + timedelta(minutes=rng.randint(12, 400)), limit)
            modified = candidate if candidate > published else None
        first_title = title
        for day, kind in self.edits(index):
            modified = self._edit_time(index, day)
            if kind == "new_title":
                editor = _Writer(self._rng(index, f"edit:{day}"), dict(story))
                fresh = editor.sentence(editor.rng.choice(words.TITLES))
                title = fresh if fresh != title else f"{title} (mis à jour)"
        ymd = published.strftime("%Y/%m/%d")
        path = f"/{slug}/article/{ymd}/{slugify(first_title, 9)}_{self.article_id(index)}.html"
        return Meta(
            index=index,
            article_id=self.article_id(index),
            rubrique=rubrique,
            title=title,
            first_title=first_title,
            lead=lead,
            url_path=path,
            published=published,
            modified=modified,
            story=story,
        )

    def _spec(self, index: int) -> ArticleSpec:
        meta = self.meta(index)
        rng = self._rng(index, "body")
        writer = _Writer(rng, dict(meta.story))
        total = rng.randint(4, 7)
        sizes = [rng.randint(2, 3) for _ in range(total)]
        deck = rng.sample(words.SENTENCES, sum(sizes))  # no sentence twice in an article
        linked = rng.randrange(total) if rng.random() < 0.5 else -1  # one link in the text
        paragraphs = [
            _paragraph(writer, rng, [deck.pop() for _ in range(size)], meta.story, k == linked)
            for k, size in enumerate(sizes)
        ]
        paywalled = rng.random() < 0.3
        paywall_pct = None
        if paywalled:
            paragraphs = paragraphs[: max(2, total // 2)]
            pct = rng.uniform(38, 82)
            paywall_pct = f"{pct:.2f}" if rng.random() < 0.5 else f"{pct:.1f}"
        for day, kind in self.edits(index):
            if kind == "correction":
                editor = _Writer(self._rng(index, f"edit:{day}"), dict(meta.story))
                last = paragraphs[-1]
                fix = editor.sentence(editor.rng.choice(words.CORRECTIONS))
                paragraphs[-1] = (*last, (" " + fix, "", ""))
        authors = tuple(rng.sample(words.AUTHORS, 1 if rng.random() < 0.7 else 2))
        town = dict(meta.story)["ville"]
        tags = (town, *rng.sample(words.TAGS, rng.randint(1, 3)))
        image_path = caption = credit = None
        if rng.random() < 0.85:
            image_path = (
                f"/images/{meta.published:%Y/%m/%d}/{meta.article_id}-{rng.randint(1, 9)}.jpg"
            )
            caption = writer.sentence(rng.choice(words.CAPTIONS))
            credit = rng.choice(words.CREDITS)
        related = self._related(index, rng, len(paragraphs))
        return ArticleSpec(
            meta=meta,
            paragraphs=tuple(paragraphs),
            authors=authors,
            tags=tags,
            image_path=image_path,
            image_caption=caption,
            image_credit=credit,
            related=related,
            paywall_pct=paywall_pct,
            jsonld_style=index % 3,
            standfirst_in_header=rng.random() < 0.65,
            absolute_links=rng.random() < 0.5,
        )

    def _related(self, index: int, rng: random.Random, visible: int) -> tuple[Link, ...]:
        # Targets come from the articles out on day 1 (or before a later article): a page
        # keeps its links from one day to the next.
        pool = [j for j in range(min(max(index, self.articles), self.count)) if j != index]
        rubrique = self.rubrique_of(index)
        same = [j for j in pool if self.rubrique_of(j) == rubrique]
        others = [j for j in pool if self.rubrique_of(j) != rubrique]
        rng.shuffle(same)
        rng.shuffle(others)
        targets = same + others  # cards and boxes prefer the same rubrique
        boxes = rng.choice((0, 1, 1, 2, 2))
        cross = self.peer is not None and index % 3 == 1
        if cross:
            boxes = max(boxes, 1)
        boxes = min(boxes, visible - 1)
        afters = sorted(rng.sample(range(visible - 1), boxes)) if boxes > 0 else []
        links: list[Link] = []
        for k, after in enumerate(afters):
            style = rng.choice(INLINE_STYLES)
            marker = None if style == "widget" else rng.choice(words.INLINE_MARKERS)
            if cross and k == 0:
                url, title = self._peer_article(index)
                links.append(Link(url, "sputnik", title, "inline", after, style, marker))
                continue
            target = targets.pop()
            links.append(self._link(target, "inline", after, style, marker))
        if rng.random() < 0.35:
            for _ in range(rng.randint(2, 3)):
                links.append(self._link(targets.pop(), "lire_aussi", marker="Lire aussi :"))
        for _ in range(rng.randint(3, 4)):
            links.append(self._link(targets.pop(0), "module", marker="Sur le même sujet"))
        return tuple(links)

    def _link(
        self, target: int, kind: str, after: int = -1, style: str = "", marker: str | None = None
    ) -> Link:
        meta = self.meta(target)
        return Link(meta.url_path, "gazette", meta.first_title, kind, after, style, marker)

    def _peer_article(self, index: int) -> tuple[str, str]:
        """(absolute URL, title) of the peer replica's article a cross-site box names."""
        assert self.peer is not None
        meta = _peer_site(self.peer_seed).meta(PEER_INDICES[(index // 3) % len(PEER_INDICES)])
        return self.peer + meta.url_path, meta.first_title

    # ---- ground truth ------------------------------------------------------------------

    def article(self, index: int) -> dict[str, Any]:
        """Ground truth: the fields a correct parser extracts from article ``index``'s page.

        ``lead`` is the standfirst; ``body`` the visible body paragraphs joined by a blank
        line, without "À lire aussi" boxes nor the paywall notice (``paywall_notice``, the
        notice's text, or None). ``related`` lists each link once in page order (inline
        boxes, the end box, then the module's cards): {url, site, title, kind, marker},
        ``url`` root-relative for the Gazette's own articles, absolute for the peer's.
        Times are ISO 8601 with the Paris offset, as the page's JSON-LD gives them.
        """
        spec = self.spec(index)
        meta = spec.meta
        return {
            "index": index,
            "site": self.name,
            "url_path": meta.url_path,
            "title": meta.title,
            "lead": meta.lead,
            "body": spec.body,
            "authors": list(spec.authors),
            "category": words.RUBRIQUES[meta.rubrique][1],
            "tags": list(spec.tags),
            "published_at": iso(meta.published),
            "modified_at": iso(meta.modified) if meta.modified else None,
            "image_url": spec.image_path,
            "image_caption": spec.image_caption,
            "image_credit": spec.image_credit,
            "paywall_notice": spec.paywall_notice,
            "related": [
                {"url": r.url, "site": r.site, "title": r.title, "kind": r.kind, "marker": r.marker}
                for r in spec.related
            ],
        }

    def articles_truth(self) -> list[dict[str, Any]]:
        """``article(i)`` of every article out today, oldest first."""
        return [self.article(i) for i in range(self.count)]


@lru_cache(maxsize=4)
def _peer_site(seed: int) -> SputnikSite:
    """The Sputnik replica's model, enough of it for its protected articles."""
    from ..site import Site

    return Site(max(PEER_INDICES) + 1, seed)


class _Writer:
    """Fills templates: story slots fixed, other slots drawn from the shared pools."""

    def __init__(self, rng: random.Random, story: dict[str, str]) -> None:
        self.rng = rng
        self.story = story

    def sentence(self, template: str) -> str:
        return typo(contract(_SLOT.sub(self._fill, template)))

    def _fill(self, match: re.Match[str]) -> str:
        cap, name = match.groups()
        value = self._value(name)
        return capfirst(value) if cap else value

    def _value(self, name: str) -> str:
        rng = self.rng
        if name in self.story:
            return self.story[name]
        if name == "institution":
            return rng.choice(words.INSTITUTIONS)
        if name == "n":
            return f"{rng.randint(1_200, 980_000):,}".replace(",", NBSP)
        if name == "n_petit":
            return str(rng.randint(2, 12))
        if name == "pct":
            return f"{rng.randint(2, 40)},{rng.randint(1, 9)}" + NBSP + "%"
        return rng.choice(words.SHARED[name])


def _paragraph(
    writer: _Writer,
    rng: random.Random,
    templates: list[str],
    story: tuple[tuple[str, str], ...],
    linked: bool,
) -> Paragraph:
    """A body paragraph: quotes in <em> (Le Monde's habit), now and then a link in the text
    to a topic page (Le Figaro's ``/tag/...`` habit; never a related article)."""
    runs: list[tuple[str, str, str]] = []
    for k, template in enumerate(templates):
        text = ("" if k == 0 else " ") + writer.sentence(template)
        for part in _QUOTE.split(text):
            if part:
                runs.append((part, "em" if part.startswith("«") else "", ""))
    if linked:
        town = dict(story)["ville"]
        runs += [
            (" Retrouvez toute l’actualité de ", "", ""),
            (town, "a", f"/sujet/{slugify(town, 9, True)}/"),
            (".", "", ""),
        ]
    return _merged(runs)


def _merged(runs: list[tuple[str, str, str]]) -> Paragraph:
    """Adjacent plain runs as one."""
    merged: list[tuple[str, str, str]] = []
    for run in runs:
        if merged and run[1] == "" and merged[-1][1] == "":
            merged[-1] = (merged[-1][0] + run[0], "", "")
        else:
            merged.append(run)
    return tuple(merged)
