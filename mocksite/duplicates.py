"""Planted duplicates: which articles have a copy under another URL, and of which kind.

An original is a day-1 article whose index modulo PERIOD is one of five offsets drawn from the
seed (never 0-4: the seed article and its related stay plain), one offset per kind, so each
kind holds 1/PERIOD (about 3%) of the articles and the k-th original is found by arithmetic.

- tracking: the article's own URL with utm_* or fbclid parameters (same page, canonical clean);
- amp: ``/amp<path>``, AMP markup, canonical to the original;
- mobile: the same path on the mobile host (127.0.0.2), mobile markup, canonical to the original;
- copy: ``/archives/<id>/``, the same page without canonical, og:url nor mainEntityOfPage;
- syndicated: ``/partenaires/<slug>-<id>.html``, one or two sentences changed, its own URL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .evolution import mix

KINDS = ("tracking", "amp", "mobile", "copy", "syndicated")
PERIOD = 32
FIRST_OFFSET = 5  # 0-4: the seed article and its four related articles
_TRACKING_KEY = 0x5554
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class Planting:
    """Where the planted duplicates of one (seed, N) are; constant size."""

    def __init__(self, seed: int, articles: int) -> None:
        self.seed = seed
        self.articles = articles
        offsets = random.Random(f"{seed}:duplicates").sample(
            range(FIRST_OFFSET, PERIOD), len(KINDS)
        )
        self._kind_at = dict(zip(offsets, KINDS, strict=True))
        self._offsets = tuple(sorted(offsets))

    def kind(self, index: int) -> str | None:
        if not 0 <= index < self.articles:
            return None
        return self._kind_at.get(index % PERIOD)

    def count(self) -> int:
        full, rest = divmod(self.articles, PERIOD)
        return full * len(KINDS) + sum(1 for offset in self._offsets if offset < rest)

    def original_at(self, position: int) -> int | None:
        """The ``position``-th original (0-based, by index), None past the last one."""
        block, k = divmod(position, len(KINDS))
        index = block * PERIOD + self._offsets[k]
        return index if position >= 0 and index < self.articles else None

    def originals(self) -> Iterator[int]:
        for position in range(self.count()):
            index = self.original_at(position)
            assert index is not None
            yield index

    def tracking_query(self, index: int) -> str:
        h = mix(self.seed, index, _TRACKING_KEY)
        choice, h = h % 3, h // 3
        if choice == 0:
            return "utm_source=rss&utm_medium=rss&utm_campaign=flux"
        if choice == 1:
            return "utm_source=facebook&utm_medium=social&utm_campaign=partage"
        code = ""
        for _ in range(24):
            h, digit = divmod(h * 37 + 11, 36)
            code += _B36[digit]
        return "fbclid=IwAR" + code
