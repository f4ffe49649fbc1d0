"""French text folding for search: the same words match whatever their accents, case,
elision or inflection.

Both sides of a search go through :func:`fold_word`: the stored text (into the
``articles_fts_fr`` index) and the user's query (by :func:`parse_query`). Folding is NFC,
casefold, diacritics removed, the word's lemma when it is an inflection of a noun or
adjective (simplemma's French dictionary: "malentendus" -> "malentendu", "heureuse" ->
"heureux", "chevaux" -> "cheval"; see :func:`lemma`), a few regular endings Snowball
misses made those of the other forms ("reçus" -> "reçu", "première" -> "premier"), then
Snowball French stemming, in that order: folding only ever sees the accent-free word, which
is what makes "securite" and "sécurité" one stem (the lemma of the word as accented would
find more pairs but break that: bench/french_lemmas.py measures both). Elided articles and
pronouns ("l'", "d'", "qu'", with a straight or curly apostrophe) are dropped, so
"aviation" finds "l'aviation".

Archives indexed before the lemmas (migration ``m007_french_lemmas`` not applied, only
possible on a read-only open) are searched with :func:`fold_word_snowball`, the folding
their index holds: ``parse_query(..., lemmas=False)``. bench/french_lemmas.py measures
both on the word pairs of tests/fixtures/french_word_pairs.tsv.

:func:`parse_query` turns what a reader types into a valid FTS5 query over the folded
index: words, "exact phrases", ``AND`` / ``OR`` / ``NOT`` (upper case), parentheses,
``prefix*`` and ``title:word`` (``lead``, ``body``, ``tags`` too). Every word is quoted, so
FTS5 syntax in the text (``NEAR(``, ``-``, ``^``, a lone ``*``) is inert; unbalanced quotes
and parentheses are dropped.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import simplemma
import snowballstemmer

#: The migration after which ``articles_fts_fr`` holds words folded with lemmas; an
#: archive lacking it (opened read-only) is searched with :func:`fold_word_snowball`.
LEMMAS_MIGRATION = "m007_french_lemmas"

#: Elided words, dropped when an apostrophe follows them ("l'aviation" -> "aviation").
ELISIONS = frozenset(
    {"l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)

#: Apostrophes that mark an elision: straight, right single quotation mark, modifier letter.
APOSTROPHES = "'\u2019\u02bc"

#: Columns a query may name (``title:word``), those of ``articles_fts_fr``.
COLUMNS: tuple[str, ...] = ("title", "lead", "body", "tags")

#: Tokens of a snippet (as FTS5's ``snippet()`` with 16).
SNIPPET_TOKENS = 16

_WORD = re.compile(r"[^\W_]+")
#: A word and the character after it (empty at the end of the text).
_WORD_AND_NEXT = re.compile(r"([^\W_]+)(.?)", re.DOTALL)
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# A phrase, a parenthesis, a lone quote, or a run of anything else.
_QUERY_TOKEN = re.compile(r'"([^"]*)"|(\()|(\))|(")|([^\s"()]+)')
_COLUMN = re.compile(r"^(" + "|".join(COLUMNS) + r"):(.*)$", re.IGNORECASE)
#: (previous item, next item) kinds FTS5 only accepts with an explicit AND between them.
_NEEDS_AND = frozenset({("term", "("), (")", "term"), (")", "(")})

_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    """This thread's French stemmer (Snowball stemmers keep state between calls)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


def strip_diacritics(text: str) -> str:
    """``text`` without its combining marks ("sécurité" -> "securite")."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def plain_word(word: str) -> str:
    """A word casefolded and without diacritics, not stemmed."""
    return strip_diacritics(unicodedata.normalize("NFC", word).casefold())


#: Endings of French infinitives: a lemma ending so is a verb's, which :func:`lemma`
#: leaves to Snowball ("est", "été" and "sont" are not one word with "être", nor
#: "bois" with "boire").
_INFINITIVE_ENDINGS = ("er", "ir", "re")


#: How many times a lemma is looked up again ("nouvelles" -> "nouvelle" -> "nouveau").
_LEMMA_HOPS = 3


@functools.lru_cache(maxsize=65536)
def lemma(plain: str) -> str:
    """The lemma of a casefolded, accent-free word when it is an inflection of a noun or
    adjective (plural, feminine: "nouvelles" -> "nouveau", "journaux" -> "journal"),
    accent-free; else the word itself.

    simplemma's lemma is kept only when it spells the same word: it shares all but its
    last two letters with the word (at least two), and is not a verb's infinitive the word
    does not start with. So "yeux" stays "yeux" (not "œil") and "avions" is not "avoir".
    A lemma is looked up again until it stays put (at most :data:`_LEMMA_HOPS` times).
    """
    word = plain
    for _ in range(_LEMMA_HOPS):
        found = strip_diacritics(simplemma.lemmatize(word, lang="fr").casefold())
        if not same_word(word, found):
            break
        word = found
    return word


def same_word(word: str, found: str) -> bool:
    """Whether ``found``, a lemma of ``word`` other than itself, spells the same word (see
    :func:`lemma`)."""
    if found == word or not found:
        return False
    if found.endswith(_INFINITIVE_ENDINGS) and not word.startswith(found):
        return False
    shared = next(
        (i for i, (a, b) in enumerate(zip(word, found, strict=False)) if a != b),
        min(len(word), len(found)),
    )
    return shared >= 2 and shared >= len(found) - 2


#: Endings Snowball leaves apart from the word's other forms, and what they become before
#: stemming: (ending, replacement, shortest word it applies to). A plural "-us" ("reçus",
#: "malentendus"; not "plus", "tous", "nous"), a feminine "-ière" or "-gère" ("première",
#: "légère"), a feminine "-trice" ("directrice", "actrice"). Measured on the word pairs of
#: tests/fixtures/french_word_pairs.tsv by bench/french_lemmas.py.
_ENDINGS: tuple[tuple[str, str, int], ...] = (
    ("us", "u", 5),
    ("ieres", "iers", 7),
    ("iere", "ier", 6),
    ("geres", "ger", 7),
    ("gere", "ger", 6),
    ("trices", "teurs", 8),
    ("trice", "teur", 7),
)


def _regular_ending(plain: str) -> str:
    """``plain`` with the first of :data:`_ENDINGS` it has replaced (see there)."""
    for ending, replacement, shortest in _ENDINGS:
        if len(plain) >= shortest and plain.endswith(ending):
            return plain[: -len(ending)] + replacement
    return plain


@functools.lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """The index form of one word: casefolded, without diacritics, its :func:`lemma`, its
    ending made regular (see :data:`_ENDINGS`), then its Snowball French stem."""
    return str(_stemmer().stemWord(_regular_ending(lemma(plain_word(word)))))


@functools.lru_cache(maxsize=65536)
def fold_word_snowball(word: str) -> str:
    """The index form of one word before lemmas (an archive lacking ``m007_french_lemmas``):
    casefolded, without diacritics, Snowball French stem."""
    return str(_stemmer().stemWord(plain_word(word)))


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of each word of ``text``, elided articles left out."""
    spans: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        after = text[match.end() : match.end() + 1]
        if after and after in APOSTROPHES and plain_word(word) in ELISIONS:
            continue
        spans.append((match.start(), match.end(), word))
    return spans


def folder(lemmas: bool = True) -> Callable[[str], str]:
    """The word folding of an index: :func:`fold_word`, or :func:`fold_word_snowball` for
    one made before lemmas (``lemmas=False``)."""
    return fold_word if lemmas else fold_word_snowball


def fold_tokens(text: str | None, *, lemmas: bool = True) -> list[str]:
    """The folded words of ``text`` (see :func:`fold_word`), in order; the words of
    :func:`word_spans`, found without building a match object per word."""
    if not text:
        return []
    text = unicodedata.normalize("NFC", text)
    fold = folder(lemmas)
    return [
        fold(word)
        for word, after in _WORD_AND_NEXT.findall(text)
        if not (after and after in APOSTROPHES and plain_word(word) in ELISIONS)
    ]


def fold_text(text: str | None, *, lemmas: bool = True) -> str:
    """``text`` as the ``articles_fts_fr`` index stores it: its folded words, space separated."""
    return " ".join(fold_tokens(text, lemmas=lemmas))


def _quoted(words: Iterable[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query made ready for FTS5."""

    match: str
    """The FTS5 expression; empty when the query holds no word to search for."""
    stems: frozenset[str]
    """Folded words the hits contain (those under ``NOT`` left out): what snippets mark."""
    prefixes: frozenset[str]
    """Folded prefixes (``word*``) the hits contain."""
    lemmas: bool = True
    """Folded with lemmas (:func:`fold_word`) or without (:func:`fold_word_snowball`)."""


def parse_query(query: str, *, stem: bool = True, lemmas: bool = True) -> ParsedQuery:
    """Translate a reader's query into FTS5 syntax over folded text.

    ``stem=False`` folds without stemming (for the accent-insensitive ``articles_fts``);
    ``lemmas=False`` folds as an index made before lemmas (:func:`fold_word_snowball`).
    Raises ``ValueError`` with a message for the reader when the query is empty or starts
    with ``NOT`` (FTS5 has no "everything but").
    """
    if not query.strip():
        raise ValueError("empty search query: give at least one word to search for")
    fold = folder(lemmas) if stem else plain_word
    # Kinds: "term" (an FTS5 phrase, with the stems to mark), "op", "(", ")".
    items: list[tuple[str, str, tuple[str, ...], bool]] = []
    column: str | None = None
    for match in _QUERY_TOKEN.finditer(unicodedata.normalize("NFC", query)):
        phrase, opening, closing, _lone_quote, chunk = match.groups()
        if opening or closing:
            items.append(("(" if opening else ")", "", (), False))
            continue
        if phrase is not None:
            words = [fold(w) for _, _, w in word_spans(phrase)]
            if words:
                items.append(("term", _column(column, _quoted(words)), tuple(words), False))
            column = None
            continue
        if chunk is None:
            continue  # an unbalanced quote: dropped
        if chunk in _OPERATORS:
            items.append(("op", chunk, (), False))
            continue
        named = _COLUMN.match(chunk)
        if named:
            column, chunk = named.group(1).lower(), named.group(2)
        prefix = chunk.endswith("*")
        words = [fold(w) for _, _, w in word_spans(chunk)]
        if words:
            term = _quoted(words) + ("*" if prefix else "")
            items.append(("term", _column(column, term), tuple(words), prefix))
            column = None
    return replace(_assemble(_balanced(items)), lemmas=lemmas)


def _column(column: str | None, term: str) -> str:
    return term if column is None else f"{column} : {term}"


def _balanced(
    items: list[tuple[str, str, tuple[str, ...], bool]],
) -> list[tuple[str, str, tuple[str, ...], bool]]:
    """``items`` without the parentheses that have no partner."""
    unmatched: set[int] = set()
    stack: list[int] = []
    for index, item in enumerate(items):
        if item[0] == "(":
            stack.append(index)
        elif item[0] == ")":
            if stack:
                stack.pop()
            else:
                unmatched.add(index)
    unmatched.update(stack)
    return [item for index, item in enumerate(items) if index not in unmatched]


def _assemble(items: Sequence[tuple[str, str, tuple[str, ...], bool]]) -> ParsedQuery:
    """A valid FTS5 expression from balanced items: operators with nothing on one side and
    empty parentheses dropped, ``AND NOT`` made ``NOT``."""
    out: list[tuple[str, str]] = []  # (kind, text)
    stems: set[str] = set()
    prefixes: set[str] = set()
    negated_depth: int | None = None  # paren depth of a NOT (...) group being skipped
    negate_next = False
    depth = 0
    for kind, text, words, prefix in items:
        if out and (out[-1][0], kind) in _NEEDS_AND:
            out.append(("op", "AND"))  # FTS5 takes no implicit AND next to a parenthesis
        if kind == "term":
            if not negate_next and negated_depth is None:
                if prefix:
                    stems.update(words[:-1])
                    prefixes.add(words[-1])
                else:
                    stems.update(words)
            negate_next = False
            out.append((kind, text))
        elif kind == "(":
            if negate_next and negated_depth is None:
                negated_depth = depth
            negate_next = False
            depth += 1
            out.append((kind, "("))
        elif kind == ")":
            depth -= 1
            if negated_depth == depth:
                negated_depth = None
            if out and out[-1][0] == "op":
                out.pop()
            if out and out[-1][0] == "(":
                out.pop()
            else:
                out.append((kind, ")"))
        else:  # an operator
            if not out or out[-1][0] == "(":
                if text == "NOT":
                    raise ValueError(
                        "NOT needs something before it: write 'syrie NOT russie', not 'NOT russie'"
                    )
                continue
            if out[-1][0] == "op":
                if out[-1][1] == "AND" and text == "NOT":
                    out[-1] = ("op", "NOT")
                    negate_next = True
                continue
            negate_next = text == "NOT"
            out.append((kind, text))
    while out and out[-1][0] == "op":
        out.pop()
    if not any(kind == "term" for kind, _ in out):
        return ParsedQuery("", frozenset(), frozenset())
    return ParsedQuery(" ".join(text for _, text in out), frozenset(stems), frozenset(prefixes))


def snippet(
    texts: Sequence[str | None], parsed: ParsedQuery, *, size: int = SNIPPET_TOKENS
) -> str | None:
    """Up to ``size`` words of the text that best shows why it matched, matches in ``[ ]``.

    ``texts`` are the columns in order (title, lead, body, tags); the window with the most
    matching words wins, the earlier column on a tie. Cut ends are marked ``…``. Without a
    matching word (a hit found only through ``NOT``), the start of the first text.
    """
    best: tuple[int, int, int] | None = None  # (hits, column, start)
    fold = folder(parsed.lemmas)
    columns: list[tuple[str, list[tuple[int, int, str]], list[bool]]] = []
    for column, text in enumerate(texts):
        text = text or ""
        spans = word_spans(text)
        hits = [_matches(fold(word), parsed) for _, _, word in spans]
        columns.append((text, spans, hits))
        for index, hit in enumerate(hits):
            if not hit:
                continue
            start = max(0, min(index - 2, len(spans) - size))
            count = sum(hits[start : start + size])
            if best is None or count > best[0]:
                best = (count, column, start)
    if best is None:
        for column, (_, spans, _) in enumerate(columns):
            if spans:
                best = (0, column, 0)
                break
        else:
            return None
    _, column, start = best
    text, spans, hits = columns[column]
    end = min(len(spans), start + size)
    parts: list[str] = ["…"] if start > 0 else []
    position = spans[start][0] if start > 0 else 0
    for (left, right, _), hit in zip(spans[start:end], hits[start:end], strict=True):
        parts.append(text[position:left])
        parts.append(f"[{text[left:right]}]" if hit else text[left:right])
        position = right
    parts.append("…" if end < len(spans) else text[position:])
    return "".join(parts).strip()


def _matches(stem: str, parsed: ParsedQuery) -> bool:
    return stem in parsed.stems or any(stem.startswith(p) for p in parsed.prefixes)
