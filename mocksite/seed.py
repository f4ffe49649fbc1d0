"""The seed article: a real Sputnik France page as a reader sees it (text only).

The replica serves it by parsing the bundled copy of ``shared/seed/sputnik-fr-article.txt``,
so what the replica serves provably comes from that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SEED_FILE = "sputnik-fr-article.txt"

#: site chrome, on every page; the seed file shows them (some run together, as rendered)
RADIO = "Ecoutez Radio Sputnik"
SUBSCRIBE = "S'abonner"
SHORT_URL_LABEL = "URL courte"
RULES = "Règles de conduite"
DISCUSSION = "Discussion"
VIA_FACEBOOK = "Commenter via Facebook"
VIA_SPUTNIK = "Commenter via Sputnik"
RELATED_LABEL = "Lire aussi:"
TAGS_LABEL = "Tags:"


@dataclass(frozen=True)
class SeedArticle:
    """The fields of the seed page, each exactly as in the file (inner whitespace kept)."""

    caption: str
    title: str
    credit: str
    category: str
    views: int
    lead: str
    paragraphs: tuple[str, ...]
    related_titles: tuple[str, ...]
    tags: tuple[str, ...]


def seed_text() -> str:
    return (
        resources.files("mocksite").joinpath("data").joinpath(SEED_FILE).read_text(encoding="utf-8")
    )


def parse_seed(text: str) -> SeedArticle:
    """Read the seed page's fields; raise ``ValueError`` if the file is not shaped as expected.

    Each non-blank line is one block of the page, in page order: radio link, caption, title,
    credit, rubrique, "URL courte", views, "S'abonner", the lead and body paragraphs, "Lire
    aussi:" and its headlines, "Tags:" and the comma-separated tags, the comments chrome.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    try:
        related_at = lines.index(RELATED_LABEL)
        tags_at = lines.index(TAGS_LABEL)
    except ValueError as exc:
        raise ValueError(f"seed file lacks a marker: {exc}") from None
    expected_chrome = {0: RADIO, 5: SHORT_URL_LABEL, 7: SUBSCRIBE}
    for at, label in expected_chrome.items():
        if lines[at] != label:
            raise ValueError(f"seed line {at}: expected {label!r}, found {lines[at]!r}")
    if lines[tags_at + 2 :] != [RULES + DISCUSSION, VIA_FACEBOOK + VIA_SPUTNIK]:
        raise ValueError("seed file: unexpected comments chrome")
    if not lines[3].startswith("©") or not lines[6].isdigit():
        raise ValueError("seed file: credit or views not where expected")
    paragraphs = lines[8:related_at]
    if len(paragraphs) < 2 or tags_at - related_at < 2:
        raise ValueError("seed file: no body or no related headlines")
    return SeedArticle(
        caption=lines[1],
        title=lines[2],
        credit=lines[3],
        category=lines[4],
        views=int(lines[6]),
        lead=paragraphs[0],
        paragraphs=tuple(paragraphs[1:]),
        related_titles=tuple(lines[related_at + 1 : tags_at]),
        tags=tuple(lines[tags_at + 1].split(", ")),
    )


@lru_cache(maxsize=1)
def load_seed() -> SeedArticle:
    return parse_seed(seed_text())
