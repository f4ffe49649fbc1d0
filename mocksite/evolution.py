"""How the replica changes from one day to the next: new articles, edits, unpublishing.

Day 1 is the site as first generated. Every later day ``d`` is derived from ``(seed, index, d)``
by arithmetic, so that the state of one article on one day costs O(d), whatever N is:

- New articles: ``per_day`` of them each day after day 1; they get indices N, N+1, ... in
  order of publication.
- Edits: on day ``d`` an affine bijection of the articles that existed on day ``d - 1`` gives
  each a slot; slot modulo 5 names the edit kind and the first ``edit_quota`` eligible slots of
  each kind are edited. Eligible: not protected, live on ``d - 1`` and on ``d``.
- Unpublishing: one fixed affine bijection of the day-1 articles; slot modulo 4 names the kind
  (404, 410, 451, 301) and each day takes the next ``gone_quota`` eligible slots of each kind,
  so an article goes at most once. Its rank inside that day decides whether (and when) it
  comes back, and whether it comes back edited.

The only memory kept is per day (where each day's slots end), never per article.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

EDIT_KINDS = (
    "corrected_paragraph",
    "new_title",
    "tags_changed",
    "paragraph_added",
    "whitespace_only",
)
#: edits a returning article may come back with (all visible ones)
RETURN_EDITS = ("corrected_paragraph", "paragraph_added", "new_title", "tags_changed")
GONE_KINDS = ("gone_404", "gone_410", "gone_451", "redirected")
GONE_STATUS = {"gone_404": 404, "gone_410": 410, "gone_451": 451, "redirected": 301}
CHANGE_KINDS = ("new", *GONE_KINDS, "returned", *EDIT_KINDS)
MAX_DAY = 300
MAX_PER_DAY = 2000  # keeps N + new articles below the 36**4 short codes for N <= 1e6

_MASK = (1 << 64) - 1
_EDIT_KEY = 0x45444954
_GONE_KEY = 0x474F4E45


def mix(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 finaliser, chained): cheap and deterministic."""
    h = 0x9E3779B97F4A7C15
    for value in values:
        h = ((h ^ (value & _MASK)) + 0x9E3779B97F4A7C15) & _MASK
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 31
    return h


@dataclass(frozen=True)
class Shuffle:
    """An affine bijection of range(size): slot = (i * mul + add) % size."""

    size: int
    mul: int
    add: int
    inv: int

    @classmethod
    def make(cls, size: int, *key: int) -> Shuffle:
        h = mix(*key)
        mul = (h % size) or 1
        while math.gcd(mul, size) != 1:
            mul = mul + 1 if mul + 1 < size else 1
        add = (h >> 32) % size
        return cls(size, mul, add, pow(mul, -1, size) if size > 1 else 0)

    def slot(self, index: int) -> int:
        return (index * self.mul + self.add) % self.size

    def index(self, slot: int) -> int:
        return ((slot - self.add) * self.inv) % self.size


@dataclass(frozen=True)
class Gone:
    """One article's unpublishing: the day it went, how, and whether it comes back."""

    day: int
    kind: str
    to_home: bool  # redirected: to the home page (else to its rubrique page)
    returns: int | None
    return_edit: str | None


class Schedule:
    """Which article changes how on which day, for one (seed, N).

    ``change_rate`` (a share of N, e.g. 0.01) sets how much changes a day: half of it new
    articles, half edits (the five kinds in equal parts), and a tenth of it unpublished.
    ``None`` keeps the default pace: 2% new, about 4% edited and 1.2% unpublished a day.
    """

    def __init__(
        self,
        seed: int,
        articles: int,
        protected: Callable[[int], bool],
        change_rate: float | None = None,
    ) -> None:
        self.seed = seed
        self.articles = articles
        self.change_rate = change_rate
        if change_rate is None:
            self.per_day = min(max(1, articles // 50), MAX_PER_DAY)
            self.gone_quota = max(1, articles * 3 // 1000)  # per kind and day
        else:
            self.per_day = min(max(1, round(articles * change_rate / 2)), MAX_PER_DAY)
            self.gone_quota = max(1, round(articles * change_rate / 10 / len(GONE_KINDS)))
        self._protected = protected
        self._gone_shuffle = Shuffle.make(articles, seed, _GONE_KEY)
        # per kind: ends[x] = first stream position not used by day x (x >= 1)
        self._gone_ends = [[0, self._next_eligible(kind, 0)] for kind in range(len(GONE_KINDS))]
        self._edit_ends: dict[int, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    # ---- sizes ---------------------------------------------------------------------------

    def articles_on(self, day: int) -> int:
        return self.articles + (day - 1) * self.per_day

    def birth_day(self, index: int) -> int:
        """The day an article first appears (1 for the original N)."""
        if index < self.articles:
            return 1
        return 2 + (index - self.articles) // self.per_day

    def edit_quota(self, day: int) -> int:
        """Edits of each kind on ``day``."""
        if self.change_rate is not None:
            share = self.change_rate / 2 / len(EDIT_KINDS)
            return max(1, round(self.articles_on(day - 1) * share))
        return max(2, self.articles_on(day - 1) * 8 // 1000)

    # ---- unpublishing --------------------------------------------------------------------

    def _gone_stream(self, kind: int, position: int) -> int | None:
        """The day-1 article at ``position`` of a kind's stream, None past its end."""
        slot = position * len(GONE_KINDS) + kind
        return self._gone_shuffle.index(slot) if slot < self.articles else None

    def _gone_bounds(self, kind: int, day: int) -> list[int]:
        ends = self._gone_ends[kind]
        if len(ends) > day:
            return ends
        with self._lock:
            while len(ends) <= day:
                position, taken = ends[-1], 0
                while taken < self.gone_quota:
                    index = self._gone_stream(kind, position)
                    if index is None:
                        break
                    position += 1
                    if not self._protected(index):
                        taken += 1
                ends.append(self._next_eligible(kind, position))
        return ends

    def _next_eligible(self, kind: int, position: int) -> int:
        """The first stream position from ``position`` on that holds an eligible article.

        Days start there, so that offset 0 of a day is always an event.
        """
        while (index := self._gone_stream(kind, position)) is not None:
            if not self._protected(index):
                break
            position += 1
        return position

    def _gone_day(self, kind: int, day: int) -> list[tuple[int, int]]:
        """(index, offset in the day) of a kind's unpublished articles on ``day``."""
        ends = self._gone_bounds(kind, day)
        found = []
        for position in range(ends[day - 1], ends[day]):
            index = self._gone_stream(kind, position)
            if index is not None and not self._protected(index):
                found.append((index, position - ends[day - 1]))
        return found

    def _gone_info(self, kind: int, day: int, offset: int) -> Gone:
        """The fate of the article at ``offset`` of a kind's slots of ``day``.

        Every day at least one kind's offset 0 (always an event) comes back.
        """
        returns = return_edit = None
        if (offset + kind + day) % 3 == 0:
            returns = day + 1 + offset % 2
            if (offset + day) % 2 == 0:
                return_edit = RETURN_EDITS[(offset + kind) % len(RETURN_EDITS)]
        return Gone(day, GONE_KINDS[kind], (offset + day) % 3 == 1, returns, return_edit)

    def gone(self, index: int, upto: int) -> Gone | None:
        """How ``index`` was unpublished on a day <= ``upto``, if it was."""
        if index >= self.articles or upto < 2 or self._protected(index):
            return None
        slot = self._gone_shuffle.slot(index)
        kind, position = slot % len(GONE_KINDS), slot // len(GONE_KINDS)
        ends = self._gone_bounds(kind, upto)
        if position >= ends[upto]:
            return None
        day = bisect.bisect_right(ends, position, 0, upto + 1)  # first day whose end is past it
        return self._gone_info(kind, day, position - ends[day - 1])

    def live(self, index: int, day: int) -> bool:
        """Whether ``index`` answers 200 on ``day`` (it must exist by then)."""
        return _live(self.gone(index, day), day)

    # ---- edits ---------------------------------------------------------------------------

    def _edit_shuffle(self, day: int) -> Shuffle:
        return Shuffle.make(self.articles_on(day - 1), self.seed, _EDIT_KEY, day)

    def _edit_eligible(self, index: int, day: int) -> bool:
        if self._protected(index):
            return False
        gone = self.gone(index, day)
        return _live(gone, day - 1) and _live(gone, day)

    def _edit_bounds(self, day: int) -> tuple[int, ...]:
        bounds = self._edit_ends.get(day)
        if bounds is not None:
            return bounds
        shuffle, quota = self._edit_shuffle(day), self.edit_quota(day)
        kinds = len(EDIT_KINDS)
        ends = []
        for kind in range(kinds):
            position, taken = 0, 0
            while taken < quota and position * kinds + kind < shuffle.size:
                if self._edit_eligible(shuffle.index(position * kinds + kind), day):
                    taken += 1
                position += 1
            ends.append(position)
        bounds = tuple(ends)
        with self._lock:
            self._edit_ends[day] = bounds
        return bounds

    def edit_on(self, index: int, day: int) -> str | None:
        """The edit the daily round makes to ``index`` on ``day`` (returns not included)."""
        if day < 2 or index >= self.articles_on(day - 1):
            return None
        shuffle = self._edit_shuffle(day)
        slot = shuffle.slot(index)
        kind, position = slot % len(EDIT_KINDS), slot // len(EDIT_KINDS)
        if position >= self._edit_bounds(day)[kind] or not self._edit_eligible(index, day):
            return None
        return EDIT_KINDS[kind]

    def edits(self, index: int, upto: int) -> list[tuple[int, str]]:
        """Every (day, edit kind) applied to ``index`` up to day ``upto``, in order."""
        found = []
        gone = self.gone(index, upto)
        for day in range(max(2, self.birth_day(index) + 1), upto + 1):
            if gone and gone.returns == day and gone.return_edit:
                found.append((day, gone.return_edit))
                continue
            kind = self.edit_on(index, day)
            if kind:
                found.append((day, kind))
        return found

    # ---- ground truth ----------------------------------------------------------------------

    def history(self, index: int, upto: int) -> list[tuple[int, str]]:
        birth = self.birth_day(index)
        found = [(birth, "new")] if birth > 1 else []
        gone = self.gone(index, upto)
        if gone:
            found.append((gone.day, gone.kind))
            if gone.returns is not None and gone.returns <= upto:
                found.append((gone.returns, "returned"))
        found += self.edits(index, upto)
        found.sort(key=lambda change: (change[0], CHANGE_KINDS.index(change[1])))
        return found

    def changes(self, day: int) -> list[dict[str, object]]:
        """What happened on ``day`` compared with the day before."""
        if day < 2:
            return []
        found: list[tuple[int, str]] = []
        first_new = self.articles + (day - 2) * self.per_day
        found += [(index, "new") for index in range(first_new, first_new + self.per_day)]
        for kind in range(len(GONE_KINDS)):
            found += [(index, GONE_KINDS[kind]) for index, _ in self._gone_day(kind, day)]
            for went in (day - 2, day - 1):
                if went < 2:
                    continue
                for index, offset in self._gone_day(kind, went):
                    gone = self._gone_info(kind, went, offset)
                    if gone.returns == day:
                        found.append((index, "returned"))
                        if gone.return_edit:
                            found.append((index, gone.return_edit))
        shuffle, kinds = self._edit_shuffle(day), len(EDIT_KINDS)
        for kind, end in enumerate(self._edit_bounds(day)):
            for position in range(end):
                index = shuffle.index(position * kinds + kind)
                if self._edit_eligible(index, day):
                    found.append((index, EDIT_KINDS[kind]))
        found.sort(key=lambda change: (change[0], CHANGE_KINDS.index(change[1])))
        return [{"index": index, "kind": kind} for index, kind in found]


def _live(gone: Gone | None, day: int) -> bool:
    if gone is None or day < gone.day:
        return True
    return gone.returns is not None and day >= gone.returns
