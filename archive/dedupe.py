"""What counts as the same text: exact duplicates by hash, near duplicates by MinHash + LSH.

DESIGN.md, "What counts as the same", rules 2 and 3. Another URL whose *normalised* text
(:func:`normalise_for_dedupe`) equals an archived article's is an alias of it
(:func:`text_hash` is the key). A text that shares most of its word sequences with an
archived one (a syndicated copy with a sentence or two changed) is a near duplicate: its own
article, ``duplicate_of`` the earlier one, with the similarity :class:`NearDuplicateIndex`
finds. This module never commits: every write joins the caller's transaction.

Similarity
    The Jaccard similarity of the two texts' sets of word shingles: every run of
    :data:`SHINGLE_WORDS` (5) consecutive words of the normalised text. Changing one
    20-word sentence of a 300-word article changes about 24 of its ~296 shingles, a
    Jaccard of about (296 - 24) / (296 + 24) = 0.85; two such sentences about 0.72. Two
    unrelated articles share almost no five-word run (well under 0.05). Texts shorter than
    20 words use shorter shingles (``len(words) // 4`` words, at least 1), so that a brief
    text still has several shingles; such texts are compared among themselves only in
    practice, since a text that crosses the 20-word line changes shingle length.

Signature
    :data:`NUM_BINS` (144) MinHash values, estimating that Jaccard similarity as the
    fraction of positions where two signatures agree (standard error
    ``sqrt(J (1 - J) / 144)``, 0.04 at J = 0.6). They are computed by *one permutation
    hashing* with optimal densification (Li, Owen & Zhang, NIPS 2012; Shrivastava, ICML
    2017): each shingle is hashed once (64-bit BLAKE2b, so values are the same in every
    process, platform and Python version), the hash picks one of the 144 bins, and each bin
    keeps its smallest hash; an empty bin (a short text) takes the value of the first
    non-empty bin along a fixed pseudo-random probe sequence of its own. Each position
    then agrees with probability exactly J, like classic MinHash with 144 independent
    permutations, at the cost of one hash per shingle instead of 144. Measured on a
    600-word article: the binning takes 0.06 ms where ``min((a*x + b) mod p)`` over 144
    permutations takes 6 ms in pure Python; the whole :func:`signature` takes 0.6 ms, most
    of it hashing the shingles.
    A bin stores the low 32 bits of its hash (576 bytes per article instead of 1,152 for
    64 bits): two different shingles agree by accident with probability 2**-32, far below
    the estimator's own noise.

Locality-sensitive hashing (the index)
    The 144 values form :data:`BANDS` (36) bands of :data:`ROWS` (4). Each band is hashed to
    a signed 64-bit bucket and stored as a row ``(band, bucket, article_id)`` of
    ``dedupe_bands``, whose primary key is the lookup index. Two texts become candidates
    when any band of theirs is identical, which happens with probability
    ``1 - (1 - J**4)**36`` (the S-curve, rising through 50% near ``(1/36)**(1/4)`` = 0.41)::

        Jaccard  0.05    0.1     0.2    0.3    0.4    0.5    0.6    0.7     0.8
        P(cand)  0.0002  0.0036  0.056  0.25   0.61   0.90   0.993  0.9999  1.0

    So a pair at or above the 0.6 threshold is a candidate with probability > 0.99, a pair
    below 0.2 in fewer than 6 cases in 100, and unrelated articles (J < 0.05) almost never:
    even if all 100,000 archived articles were at J = 0.05 from a new one, a lookup would
    verify about 20 false candidates; it makes 36 index seeks whatever the archive's size,
    so its cost hardly grows with the archive (``bench/dedupe.py``). Other shapes:
    32 x 4 (128 values) gives only 0.988 at J = 0.6; 20 x 3 lets 15% of pairs at 0.2
    through; 64 x 5 needs 320 values per article for a similar curve. Candidates are then
    verified against their stored signature, and only similarity >= the threshold counts.

Changing any parameter here (shingle length, bins, bands, hash keys) changes every
signature: archived ``dedupe_signatures`` / ``dedupe_bands`` rows would then have to be
rebuilt by a migration. ``tests/test_dedupe.py`` pins a signature to catch that.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sqlite3
import struct
import unicodedata
from dataclasses import dataclass
from operator import eq
from typing import ClassVar

import sqlite_utils

logger = logging.getLogger(__name__)

#: Words per shingle (for texts of at least ``4 * SHINGLE_WORDS`` words).
SHINGLE_WORDS = 5
#: Values in a signature.
NUM_BINS = 144
#: Bands of the LSH index, and values per band: ``BANDS * ROWS == NUM_BINS``.
BANDS = 36
ROWS = 4

_MASK32 = (1 << 32) - 1
_MASK64 = (1 << 64) - 1
_EMPTY_BIN = 1 << 64  # above every 64-bit hash
# BLAKE2b personalisations: domain separation of the two uses of the hash.
_SHINGLE_HASHER = hashlib.blake2b(digest_size=8, person=b"dedupe-shingle")
_BAND_HASHER = hashlib.blake2b(digest_size=8, person=b"dedupe-band")
_PROBE_SEED = 0x5D0C_0DE5_D0B1_E5ED
_SIGNATURE_FORMAT = f"<{NUM_BINS}I"  # little-endian whatever the platform
_SIGNATURE_BYTES = struct.calcsize(_SIGNATURE_FORMAT)
_BAND_BYTES = ROWS * struct.calcsize("<I")
assert BANDS * ROWS == NUM_BINS, "every signature value belongs to exactly one band"

# Invisible characters that may sit inside a word (soft hyphen, zero-width ones, BOM).
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Everything that is neither a letter, a digit nor whitespace separates words: straight and
# typographic apostrophes (' ’ ʼ), quotes (" « » “ ” „), dashes (- ‐ – — −) and all other
# punctuation and symbols, so "l’armée" == "l'armée" and "Moscou – Washington" ==
# "Moscou-Washington".
_SEPARATORS = re.compile(r"[^\w\s]|_")

_CANDIDATES_SQL = " UNION ALL ".join(
    ["SELECT article_id FROM dedupe_bands WHERE band = ? AND bucket = ?"] * BANDS
)
_CANDIDATE_SIGNATURES_SQL = (
    f"SELECT article_id, signature FROM dedupe_signatures WHERE article_id IN ({_CANDIDATES_SQL})"
)


def _normalise_part(text: str) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).casefold()
    # casefold() can decompose (e.g. "İ"); recompose so equal text is equal code points.
    text = unicodedata.normalize("NFC", text)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def normalise_for_dedupe(title: str | None, lead: str | None, body: str | None) -> str:
    """The text that decides sameness: title, lead and body, normalised and joined by spaces.

    NFC, case-folded, invisible characters (soft hyphens, zero-width spaces) removed, every
    punctuation mark or symbol (apostrophes, quotes, dashes of any typographic style) made
    a word break, and every whitespace run one space. Where a paragraph sits (lead or body)
    does not matter, so two page layouts that split the same text differently agree.
    """
    parts = (_normalise_part(part) for part in (title, lead, body) if part)
    return " ".join(part for part in parts if part)


def text_hash(title: str | None, lead: str | None, body: str | None) -> str:
    """sha256 (hex) of :func:`normalise_for_dedupe`: equal for exact duplicates.

    Differences of whitespace, case, quote, apostrophe or dash style hash the same; any
    changed word does not. A text with no words hashes as the empty string.
    """
    normalised = normalise_for_dedupe(title, lead, body)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _shingles(words: list[str]) -> set[str]:
    k = min(SHINGLE_WORDS, max(1, len(words) // 4))
    # Runs of k words: the i-th of k shifted copies stops k - 1 - i words short, on purpose.
    return set(map(" ".join, zip(*(words[i:] for i in range(k)), strict=False)))


def _shingle_hashes(shingles: set[str]) -> list[int]:
    hashes: list[int] = []
    for shingle in shingles:
        # Copying a keyed hasher costs half as much as building one with its parameters.
        hasher = _SHINGLE_HASHER.copy()
        hasher.update(shingle.encode("utf-8"))
        hashes.append(int.from_bytes(hasher.digest(), "little"))
    return hashes


def _probe(bin_index: int, attempt: int) -> int:
    """The bin an empty bin copies on its ``attempt``-th try: splitmix64, fixed for all texts."""
    z = ((((bin_index << 32) | attempt) ^ _PROBE_SEED) + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    z ^= z >> 31
    return (z * NUM_BINS) >> 64


# Each bin's probe sequence, computed once as far as any text has needed it: a few kB of
# cached small ints, some 100 kB once texts of one or two words have been seen.
_PROBES: list[list[int]] = [[] for _ in range(NUM_BINS)]


def _one_permutation_minhash(hashes: list[int]) -> tuple[int, ...]:
    mins = [_EMPTY_BIN] * NUM_BINS
    for value in hashes:
        # The high bits choose the bin (multiply-shift range reduction, no modulo bias).
        index = (value * NUM_BINS) >> 64
        if value < mins[index]:
            mins[index] = value
    values = [value & _MASK32 for value in mins]
    for index, value in enumerate(mins):
        if value == _EMPTY_BIN:
            probes = _PROBES[index]
            attempt = 0
            while True:
                if attempt == len(probes):
                    probes.append(_probe(index, attempt + 1))
                source = probes[attempt]
                if mins[source] != _EMPTY_BIN:
                    break
                attempt += 1
            values[index] = mins[source] & _MASK32
    return tuple(values)


@functools.lru_cache(maxsize=256)  # storing an article looks its bands up, then indexes them
def _bands(data: bytes) -> tuple[tuple[int, int], ...]:
    """``(band, bucket)`` of a packed signature; a bucket is a signed 64-bit BLAKE2b."""
    bands: list[tuple[int, int]] = []
    for band in range(BANDS):
        start = band * _BAND_BYTES
        hasher = _BAND_HASHER.copy()
        hasher.update(data[start : start + _BAND_BYTES])
        bands.append((band, int.from_bytes(hasher.digest(), "little", signed=True)))
    return tuple(bands)


@dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash signature: :data:`NUM_BINS` 32-bit values, or none for no words.

    Stored as ``to_bytes()``: the values as little-endian unsigned 32-bit integers (576
    bytes), or zero bytes for a text without words. Such an empty signature is similar to
    nothing, itself included, and never enters the LSH bands.
    """

    values: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.values) not in (0, NUM_BINS):
            raise ValueError(f"a signature has {NUM_BINS} values, not {len(self.values)}")

    @property
    def empty(self) -> bool:
        """True for the signature of a text without words."""
        return not self.values

    def to_bytes(self) -> bytes:
        """The stored form (see the class docstring)."""
        if self.empty:
            return b""
        return struct.pack(_SIGNATURE_FORMAT, *self.values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """The signature stored as ``data``; ``ValueError`` if it is not one."""
        if not data:
            return cls(())
        if len(data) != _SIGNATURE_BYTES:
            raise ValueError(f"a stored signature has {_SIGNATURE_BYTES} bytes, not {len(data)}")
        return cls(struct.unpack(_SIGNATURE_FORMAT, data))

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two texts' shingles, in [0, 1]."""
        if self.empty or other.empty:
            return 0.0
        matches: int = sum(map(eq, self.values, other.values))
        return matches / NUM_BINS

    def bands(self) -> list[tuple[int, int]]:
        """The ``(band, bucket)`` pairs this signature occupies in the LSH index."""
        return list(_bands(self.to_bytes())) if not self.empty else []


def signature(title: str | None, lead: str | None, body: str | None) -> Signature:
    """The MinHash signature of :func:`normalise_for_dedupe` (see the module docstring)."""
    words = normalise_for_dedupe(title, lead, body).split()
    if not words:
        return Signature(())
    return Signature(_one_permutation_minhash(_shingle_hashes(_shingles(words))))


class NearDuplicateIndex:
    """The persistent LSH index of archived texts: tables ``dedupe_signatures`` and
    ``dedupe_bands`` (migration m002).

    Writes never commit; they belong to the caller's transaction (or, when none is open, to
    the one the ``sqlite3`` module opens implicitly, which the caller commits). ``db`` is
    the archive's connection, as a ``sqlite_utils.Database`` or a plain ``sqlite3``
    connection. A lookup reads only the articles that share a band with the query (36
    primary-key seeks in one statement) and verifies them with their stored signatures, so
    its cost depends on how many similar texts there are, not on the size of the archive.
    """

    #: Estimated Jaccard similarity at or above which a text is a near duplicate: at 0.6,
    #: one or two changed sentences in an article of a few hundred words still qualify
    #: (0.85 and 0.72 for 20-word sentences in 300 words), and the LSH bands find such a
    #: pair with probability > 0.99 (module docstring).
    THRESHOLD: ClassVar[float] = 0.6

    def __init__(
        self,
        db: sqlite_utils.Database | sqlite3.Connection,
        *,
        threshold: float | None = None,
    ) -> None:
        self.conn: sqlite3.Connection = db.conn if isinstance(db, sqlite_utils.Database) else db
        self.threshold = self.THRESHOLD if threshold is None else threshold
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {self.threshold}")

    def _stored(self, article_id: int) -> bytes | None:
        row = self.conn.execute(
            "SELECT signature FROM dedupe_signatures WHERE article_id = ?", [article_id]
        ).fetchone()
        return None if row is None else bytes(row[0])

    def _delete_bands(self, article_id: int, stored: bytes) -> None:
        try:
            bands = Signature.from_bytes(stored).bands()
        except ValueError:
            # Not a signature of this format: find its rows the slow way (a full scan,
            # dedupe_bands has no index on article_id alone).
            self.conn.execute("DELETE FROM dedupe_bands WHERE article_id = ?", [article_id])
            return
        self.conn.executemany(
            "DELETE FROM dedupe_bands WHERE band = ? AND bucket = ? AND article_id = ?",
            [(band, bucket, article_id) for band, bucket in bands],
        )

    def add(self, article_id: int, sig: Signature) -> None:
        """Index ``sig`` as the text of ``article_id``, replacing what it had (no commit)."""
        data = sig.to_bytes()
        stored = self._stored(article_id)
        if stored == data:
            return
        if stored is not None:
            self._delete_bands(article_id, stored)
        self.conn.execute(
            "INSERT OR REPLACE INTO dedupe_signatures (article_id, signature) VALUES (?, ?)",
            [article_id, data],
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO dedupe_bands (band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in sig.bands()],
        )

    def remove(self, article_id: int) -> None:
        """Take ``article_id`` out of the index; nothing happens if it is not in it."""
        stored = self._stored(article_id)
        if stored is None:
            return
        self._delete_bands(article_id, stored)
        self.conn.execute("DELETE FROM dedupe_signatures WHERE article_id = ?", [article_id])

    @staticmethod
    def _band_params(sig: Signature) -> list[int]:
        return [value for pair in sig.bands() for value in pair]

    def candidates(self, sig: Signature) -> set[int]:
        """Indexed articles sharing at least one band with ``sig`` (not yet verified)."""
        if sig.empty:
            return set()
        rows = self.conn.execute(_CANDIDATES_SQL, self._band_params(sig)).fetchall()
        return {int(row[0]) for row in rows}

    def best_match(self, sig: Signature, *, exclude: int | None = None) -> tuple[int, float] | None:
        """The indexed article most similar to ``sig``, with the similarity, or ``None``.

        Only candidates from the bands count, verified with their stored signatures; the
        similarity must be at least :attr:`threshold`. Ties go to the lowest (earliest) id.
        ``exclude`` (typically the article being stored) is never returned.
        """
        if sig.empty:
            return None
        rows = self.conn.execute(_CANDIDATE_SIGNATURES_SQL, self._band_params(sig)).fetchall()
        best: tuple[int, float] | None = None
        for article_id, data in sorted(rows, key=lambda row: int(row[0])):
            if article_id == exclude:
                continue
            try:
                other = Signature.from_bytes(bytes(data))
            except ValueError as error:
                logger.warning("skipping the signature of article %s: %s", article_id, error)
                continue
            similarity = sig.similarity(other)
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (int(article_id), similarity)
        return best
