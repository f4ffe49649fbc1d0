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
"""

from __future__ import annotations

import bisect
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from . import vocab
from .seed import SeedArticle, load_seed
from .text import Writer, capfirst, contract, slugify, typo

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
    caption_mode: int = 0  # 0: img alt+title and a description block, 1: alt+title, 2: figcaption
    end_in_text: bool = True  # legacy: end "Lire aussi:" block inside .b-article__text
    absolute_links: bool = True  # related hrefs absolute (else root-relative)
    credit_first: bool = True  # legacy: credit before the rubric link
    inline_style: int = 0  # legacy inline block: 0 div.b-inject, 1 <p><strong>Lire aussi:</strong>


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

    @property
    def body(self) -> str:
        return "\n\n".join(paragraph_text(p) for p in self.paragraphs)


def paragraph_text(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments)


class Site:
    """The replica of Sputnik France with ``articles`` articles, deterministic in ``seed``."""

    def __init__(self, articles: int, seed: int = 1) -> None:
        if not 1 <= articles <= MAX_ARTICLES:
            raise ValueError(f"articles must be between 1 and {MAX_ARTICLES}, not {articles}")
        self.articles = articles
        self.seed = seed
        self._seed_article: SeedArticle = load_seed()
        if self._seed_article.category != vocab.RUBRIQUES[0][1]:
            raise ValueError("the seed article's rubrique must be the first rubrique")
        self._meta = lru_cache(maxsize=4096)(self._compute_meta)
        #: the site's "now": the seed article is the newest thing on it
        self._now = datetime.combine(END_DATE, time(), TZ) + timedelta(minutes=SEED_MINUTE)

    def __repr__(self) -> str:
        return f"Site(articles={self.articles}, seed={self.seed})"

    # ---- public API ------------------------------------------------------------------

    @property
    def seed_index(self) -> int:
        return SEED_INDEX

    def article(self, index: int) -> dict[str, Any]:
        """Ground truth: the fields a correct parser extracts from article ``index``'s page.

        Text is verbatim (non-breaking spaces kept); ``body`` is the paragraphs after the lead
        joined by a blank line, without "Lire aussi" blocks; ``related`` lists inline blocks
        then the end block, in page order; paths are root-relative.
        """
        spec = self.spec(index)
        meta = spec.meta
        return {
            "index": index,
            "url_path": meta.url_path,
            "layout": meta.layout,
            "title": meta.title,
            "lead": spec.lead,
            "body": spec.body,
            "authors": list(spec.authors),
            "category": vocab.RUBRIQUES[meta.rubrique][1],
            "tags": list(spec.tags),
            "published_at": meta.published.isoformat(),
            "modified_at": meta.modified.isoformat() if meta.modified else None,
            "image_url": spec.image_url,
            "image_caption": spec.image_caption,
            "image_credit": spec.image_credit,
            "short_path": spec.short_path,
            "views": spec.views,
            "related": [{"path": r.path, "title": r.title, "kind": r.kind} for r in spec.related],
        }

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
        """Canonical paths of every article, newest first."""
        for index in range(self.articles):
            yield self.meta(index).url_path

    # ---- arithmetic ------------------------------------------------------------------

    def meta(self, index: int) -> Meta:
        self._check(index)
        return self._meta(index)

    def url_path(self, index: int) -> str:
        return self.meta(index).url_path

    def article_id(self, index: int) -> int:
        return SEED_ID - ID_STEP * index

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
        return index if index < self.articles else None

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
        delta = SEED_ID - int(article_id)
        if delta < 0 or delta % ID_STEP:
            return None
        index = delta // ID_STEP
        return index if index < self.articles else None

    def rubrique_of(self, index: int) -> int:
        return (index // BLOCK) % len(vocab.RUBRIQUES)

    def rubrique_count(self, rubrique: int) -> int:
        cycle = BLOCK * len(vocab.RUBRIQUES)
        full, rest = divmod(self.articles, cycle)
        return full * BLOCK + max(0, min(BLOCK, rest - rubrique * BLOCK))

    def rubrique_article(self, rubrique: int, k: int) -> int:
        """The k-th newest article (0-based) of a rubrique."""
        block = rubrique + len(vocab.RUBRIQUES) * (k // BLOCK)
        return block * BLOCK + k % BLOCK

    def rubrique_page(self, rubrique: int, page: int) -> tuple[list[int], bool]:
        """Indices on page ``page`` (1-based) of a rubrique, and whether a next page exists."""
        count = self.rubrique_count(rubrique)
        first = (page - 1) * PAGE_SIZE
        last = min(count, first + PAGE_SIZE)
        return [self.rubrique_article(rubrique, k) for k in range(first, last)], last < count

    def rubrique_pages(self, rubrique: int) -> int:
        return max(1, -(-self.rubrique_count(rubrique) // PAGE_SIZE))

    def day_of(self, index: int) -> tuple[int, int]:
        """(days back from END_DATE, position in that day, 0 = newest)."""
        week, rest = divmod(index, WEEK)
        weekday = bisect.bisect_right(_DAY_STARTS, rest) - 1
        return week * 7 + weekday, rest - _DAY_STARTS[weekday]

    def day_articles(self, days_back: int) -> range:
        start = (days_back // 7) * WEEK + _DAY_STARTS[days_back % 7]
        return range(
            min(start, self.articles), min(start + DAY_COUNTS[days_back % 7], self.articles)
        )

    def day_count(self) -> int:
        """Number of days that have articles (the newest is END_DATE)."""
        return self.day_of(self.articles - 1)[0] + 1

    def day_date(self, days_back: int) -> date:
        return END_DATE - timedelta(days=days_back)

    def days_back(self, day: date) -> int | None:
        delta = (END_DATE - day).days
        return delta if 0 <= delta < self.day_count() else None

    # ---- generation ------------------------------------------------------------------

    def _check(self, index: int) -> None:
        if not 0 <= index < self.articles:
            raise IndexError(f"article index {index} out of range 0..{self.articles - 1}")

    def _rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{index}")

    def _published(self, index: int, roll: float) -> datetime:
        days_back, position = self.day_of(index)
        if index == SEED_INDEX:
            minute = SEED_MINUTE
        else:
            start, end = (20, SEED_MINUTE) if days_back == 0 else (360, 1430)
            width = (end - start) / DAY_COUNTS[days_back % 7]
            minute = int(end - position * width - roll * 0.8 * width)
        midnight = datetime.combine(self.day_date(days_back), time(), TZ)
        return midnight + timedelta(minutes=minute)

    def _path(self, index: int, layout: str, rubrique: int, title: str, day: date) -> str:
        ymd = day.strftime("%Y%m%d")
        article_id = self.article_id(index)
        if layout == "legacy":
            return f"/{RUBRIQUE_SLUGS[rubrique]}/{ymd}{article_id}-{slugify(title)}/"
        return f"/{ymd}/{slugify(title)}-{article_id}.html"

    def _draw_meta(self, index: int, rng: random.Random) -> tuple[Meta, Writer]:
        """The first draws of an article's RNG, shared by listings and full pages."""
        layout_roll, minute_roll, modified_roll = rng.random(), rng.random(), rng.random()
        modified_after = timedelta(minutes=rng.randint(4, 600))
        rubrique = self.rubrique_of(index)
        slug = RUBRIQUE_SLUGS[rubrique]
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
        title = writer.sentence(writer.draw("titre"))
        layout = "current" if layout_roll < CURRENT_SHARE else "legacy"
        modified = None
        if index == SEED_INDEX:
            layout, title = "legacy", self._seed_article.title
        elif index in SEED_RELATED:
            title = self._seed_article.related_titles[SEED_RELATED.index(index)]
        published = self._published(index, minute_roll)
        if index != SEED_INDEX and modified_roll < 0.3:
            modified = min(published + modified_after, self._now)
        meta = Meta(
            index=index,
            article_id=self.article_id(index),
            layout=layout,
            rubrique=rubrique,
            title=title,
            url_path=self._path(index, layout, rubrique, title, published.date()),
            published=published,
            modified=modified,
        )
        return meta, writer

    def _compute_meta(self, index: int) -> Meta:
        return self._draw_meta(index, self._rng(index))[0]

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
        """Everything on article ``index``'s page."""
        self._check(index)
        if index == SEED_INDEX:
            return self._seed_spec()
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
        return ArticleSpec(
            meta=meta,
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
        )

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
            meta = self.meta(other)
            if k < inline_count:
                related.append(Related(other, meta.url_path, meta.title, "inline", afters[k]))
            else:
                related.append(Related(other, meta.url_path, meta.title, "lire_aussi"))
        return tuple(related)

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
