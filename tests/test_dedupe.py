"""Exact and near-duplicate detection (archive.dedupe): hashing, MinHash, the LSH index."""

from __future__ import annotations

import hashlib
import os
import random
import re
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from archive import Archive
from archive.dedupe import (
    BANDS,
    NUM_BINS,
    ROWS,
    NearDuplicateIndex,
    Signature,
    normalise_for_dedupe,
    signature,
    text_hash,
)

ROOT = Path(__file__).resolve().parents[1]

# Enough distinct words that two random texts share no five-word run, with the accents,
# elisions and apostrophes of real French copy.
_VOCABULARY_TEXT = """
le la les un une des du de et à au aux en dans sur pour par avec sans sous entre contre
vers chez selon après avant depuis pendant lors malgré parmi ainsi aussi encore déjà très
plus moins bien mal toujours jamais souvent hier aujourd’hui demain l’armée l’État d’après
qu’il qu’elle n’est c’est s’est d’une d’un l’accord l’ONU l’Union l’OTAN jusqu’à lorsqu’il
président ministre gouvernement armée militaires soldats diplomates experts journalistes
habitants citoyens députés sénateurs électeurs manifestants réfugiés agriculteurs médecins
Moscou Washington Paris Berlin Londres Pékin Damas Kiev Ankara Téhéran Bruxelles Genève
Russie France Syrie Ukraine Turquie Iran Chine Allemagne Italie Espagne Pologne Égypte
sécurité défense économie énergie pétrole gaz sanctions accord négociations sommet crise
guerre paix conflit frontière territoire région capitale ville village port aéroport
élection référendum réforme budget impôt dette inflation croissance chômage salaire
opération mission exercice manœuvres avion chasseur navire frégate sous-marin missile
système radar drone satellite base camp convoi pont route hôpital école université
déclaré annoncé affirmé indiqué souligné rappelé précisé estimé jugé dénoncé condamné
rencontré discuté signé proposé refusé accepté rejeté confirmé démenti publié révélé
lancé détruit abattu intercepté repoussé évacué libéré arrêté condamné jugé élu nommé
nouveau nouvelle ancien ancienne grand grande petit petite premier première dernier
dernière important importante officiel officielle militaire militaires politique
économique diplomatique international internationale européen européenne russe
américain américaine français française syrien syrienne turc turque chinois allemand
semaine mois année jour nuit matin soir lundi mardi mercredi jeudi vendredi samedi
dimanche janvier février mars avril mai juin juillet août septembre octobre novembre
décembre deux trois quatre cinq six sept huit dix vingt cent mille millions milliards
selon lui elle eux leur leurs son sa ses notre votre cette ces celui celle ceux tout
toute tous toutes chaque plusieurs certains certaines autre autres même mêmes quelque
porte-parole communiqué conférence agence presse télévision radio journal article rapport
enquête témoin source document vidéo photo image déclaration interview entretien réunion
"""
VOCABULARY = _VOCABULARY_TEXT.split()
#: Words that normalise to one word, to control how many shingles a change touches.
PLAIN_WORDS = [word for word in VOCABULARY if re.fullmatch(r"\w+", word)]
TITLE_WORDS = (6, 11)
SENTENCE_WORDS = (8, 20)
ARTICLE_WORDS = 300


@dataclass(frozen=True)
class Text:
    """A generated article: a title and sentences (the first one is the lead)."""

    title: str
    sentences: tuple[str, ...]

    def fields(self) -> tuple[str, str, str]:
        body = self.sentences[1:]
        paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
        return self.title, self.sentences[0], "\n\n".join(paragraphs)

    def signature(self) -> Signature:
        return signature(*self.fields())

    def shingles(self, k: int = 5) -> set[tuple[str, ...]]:
        words = normalise_for_dedupe(*self.fields()).split()
        return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


def words(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(VOCABULARY) for _ in range(count)]


def sentence(rng: random.Random, count: int | None = None) -> str:
    chosen = words(rng, count or rng.randint(*SENTENCE_WORDS))
    if len(chosen) > 6 and rng.random() < 0.5:
        chosen[len(chosen) // 2] += ","
    if rng.random() < 0.2:
        chosen[1] = "« " + chosen[1]
        chosen[-1] += " »"
    return " ".join(chosen)[0].upper() + " ".join(chosen)[1:] + "."


def article(rng: random.Random, length: int = ARTICLE_WORDS) -> Text:
    title = " ".join(words(rng, rng.randint(*TITLE_WORDS))).capitalize()
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < length:
        sentences.append(sentence(rng))
    return Text(title, tuple(sentences))


def replace_sentences(rng: random.Random, text: Text, count: int) -> Text:
    """``text`` with ``count`` body sentences rewritten (new words, same length)."""
    sentences = list(text.sentences)
    for index in rng.sample(range(1, len(sentences)), count):
        sentences[index] = sentence(rng, len(sentences[index].split()))
    return replace(text, sentences=tuple(sentences))


def reword(rng: random.Random, text: Text) -> Text:
    """``text`` with three words of one sentence changed and one sentence added."""
    sentences = list(text.sentences)
    index = rng.randrange(1, len(sentences))
    changed = sentences[index].split()
    for position in rng.sample(range(len(changed)), 3):
        changed[position] = rng.choice(VOCABULARY)
    sentences[index] = " ".join(changed)
    sentences.append(sentence(rng))
    return replace(text, sentences=tuple(sentences))


def restyle(text: Text) -> tuple[str, str, str]:
    """The same text as another site prints it: case, whitespace, quotes and dashes differ."""
    title, lead, body = text.fields()
    body = body.replace("’", "'").replace("« ", "\u201c").replace(" »", "\u201d")
    body = body.replace("\n\n", " \n \u00a0").replace(" ", "  ")
    return title.upper(), "  " + lead.replace(",", " ,") + "\n", body


def jaccard(a: Text, b: Text) -> float:
    sa, sb = a.shingles(), b.shingles()
    return len(sa & sb) / len(sa | sb)


# -- exact duplicates -------------------------------------------------------------------


def test_text_hash_ignores_whitespace_case_and_typography() -> None:
    reference = text_hash(
        "L’armée russe à Damas", "Moscou – Washington : « accord »", "Premier.\n\nSecond."
    )
    same = [
        ("L'armée russe à Damas", 'Moscou - Washington: "accord"', "Premier. Second."),
        ("  l’ARMÉE   russe à damas ", "Moscou—Washington : “accord”", "Premier.\u00a0Second."),
        # decomposed accents (NFD), a soft hyphen and a zero-width space inside words
        (
            unicodedata.normalize("NFD", "L’armée russe à Damas"),
            "Mos\u00adcou – Wash\u200bington « accord »",
            "Premier. Second.",
        ),
        # a layout that puts the first paragraph in the body instead of the lead
        ("L’armée russe à Damas", None, "Moscou – Washington : « accord ». Premier. Second."),
    ]
    for fields in same:
        assert text_hash(*fields) == reference, fields


def test_text_hash_differs_for_a_changed_word() -> None:
    reference = text_hash("L’armée russe à Damas", "Un accord signé.", "Premier. Second.")
    assert text_hash("L’armée russe à Alep", "Un accord signé.", "Premier. Second.") != reference
    assert text_hash("L’armée russe à Damas", "Un accord signé.", "Premier. Troisième.") != (
        reference
    )
    assert text_hash("L’armée russe à Damas", "Un accord rejeté.", "Premier. Second.") != (
        reference
    )


def test_normalised_text() -> None:
    assert normalise_for_dedupe("L’État", None, "d’après « l’ONU » – 6\u202f822 vues") == (
        "l état d après l onu 6 822 vues"
    )
    assert normalise_for_dedupe(None, None, None) == ""
    assert text_hash(None, "", " \n ") == hashlib.sha256(b"").hexdigest()


def test_text_hash_is_pinned() -> None:
    # archived articles.text_hash values were computed with this: a change needs a migration
    assert text_hash("Titre", "Chapeau.", "Corps de l’article.") == (
        hashlib.sha256(b"titre chapeau corps de l article").hexdigest()
    )


# -- signatures -------------------------------------------------------------------------


def test_signature_round_trips_through_bytes() -> None:
    sig = article(random.Random(1)).signature()
    data = sig.to_bytes()
    assert isinstance(data, bytes)
    assert len(data) == NUM_BINS * 4
    assert Signature.from_bytes(data) == sig
    assert Signature.from_bytes(data).similarity(sig) == 1.0
    assert BANDS * ROWS == NUM_BINS


def test_signature_rejects_bytes_of_another_size() -> None:
    data = article(random.Random(1)).signature().to_bytes()
    for bad in (data[:-1], data + b"\0" * 4, data[: len(data) // 2]):
        with pytest.raises(ValueError):
            Signature.from_bytes(bad)


def test_signature_is_pinned_and_the_same_in_every_process() -> None:
    # The index stored in archives depends on these exact values: a change needs a migration
    # that rebuilds dedupe_signatures and dedupe_bands (and a new pinned digest here).
    fields = (
        "Washington et Moscou discutent de la sécurité des opérations en Syrie",
        "Les militaires russes et américains ont discuté de la sécurité des vols.",
        "Selon le porte-parole, l’accord conclu l’an dernier reste en vigueur.",
    )
    digest = hashlib.sha256(signature(*fields).to_bytes()).hexdigest()
    assert digest == PINNED_SIGNATURE_SHA256
    code = (
        "import hashlib; from archive.dedupe import signature;"
        f"print(hashlib.sha256(signature(*{fields!r}).to_bytes()).hexdigest())"
    )
    for seed in ("0", "1", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == digest


PINNED_SIGNATURE_SHA256 = "2b1f5e64835ab9cc5718f1ba8b0f9f98ad32e338994bb0035a5755c3083fc5d6"


def test_similarity_of_identical_texts_is_one() -> None:
    text = article(random.Random(2))
    assert text.signature().similarity(text.signature()) == 1.0
    assert signature(*restyle(text)).similarity(text.signature()) == 1.0


def test_similarity_survives_a_one_sentence_change() -> None:
    rng = random.Random(3)
    for _ in range(20):
        text = article(rng)
        changed = replace_sentences(rng, text, 1)
        similarity = text.signature().similarity(changed.signature())
        assert 0.6 <= similarity < 1.0, (similarity, jaccard(text, changed))


def test_similarity_of_unrelated_texts_is_low() -> None:
    rng = random.Random(4)
    for _ in range(20):
        a, b = article(rng), article(rng)
        assert a.signature().similarity(b.signature()) < 0.2


def test_similarity_estimates_the_jaccard_of_shingles() -> None:
    rng = random.Random(5)
    errors = []
    for count in (1, 2, 3, 5, 8, 12) * 5:
        text = article(rng)
        other = replace_sentences(rng, text, min(count, len(text.sentences) - 1))
        errors.append(text.signature().similarity(other.signature()) - jaccard(text, other))
    # standard error of one estimate is at most sqrt(0.25 / 144) = 0.042
    assert abs(sum(errors) / len(errors)) < 0.03
    assert max(abs(error) for error in errors) < 0.2


def pair_at(rng: random.Random, target: float, length: int) -> tuple[Text, Text, float]:
    """Two texts whose shingle Jaccard is within 0.02 of ``target``: a run of words replaced."""
    while True:
        tokens = [rng.choice(PLAIN_WORDS) for _ in range(length)]
        shingles = length - 4
        # a run of m new words changes m + 4 shingles: J = (S - c) / (S + c)
        changed = round(shingles * (1 - target) / (1 + target)) - 4
        start = rng.randrange(0, length - changed)
        other = list(tokens)
        other[start : start + changed] = [rng.choice(PLAIN_WORDS) for _ in range(changed)]
        a, b = Text("", (" ".join(tokens),)), Text("", (" ".join(other),))
        similarity = jaccard(a, b)
        if abs(similarity - target) <= 0.02:
            return a, b, similarity


@pytest.mark.parametrize("length", [100, 300, 800])
def test_lsh_bands_follow_the_s_curve(length: int) -> None:
    rng = random.Random(length)
    trials = 300
    found_at_06 = found_at_02 = 0
    for _ in range(trials):
        a, b, _ = pair_at(rng, 0.6, length)
        found_at_06 += bool(set(a.signature().bands()) & set(b.signature().bands()))
        a, b, _ = pair_at(rng, 0.2, length)
        found_at_02 += bool(set(a.signature().bands()) & set(b.signature().bands()))
    # theory: 1 - (1 - J**4)**36 = 0.993 at 0.6 and 0.056 at 0.2
    assert found_at_06 / trials >= 0.97
    assert found_at_02 / trials <= 0.12


def test_text_without_words_has_an_empty_signature() -> None:
    sig = signature(None, " « » ", "—")
    assert sig.empty
    assert sig.to_bytes() == b""
    assert Signature.from_bytes(b"") == sig
    assert sig.similarity(sig) == 0.0
    assert sig.bands() == []


def test_short_texts_still_compare() -> None:
    a = signature("Alerte", None, "Explosion près de l’aéroport de Damas, selon l’agence.")
    b = signature("Alerte", None, "Explosion près de l’aéroport de Damas, selon la presse.")
    c = signature("Sport", None, "Le club de Moscou gagne la coupe nationale de hockey.")
    assert a.similarity(b) > 0.5
    assert a.similarity(c) < 0.2


# -- the index --------------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "a.db") as opened:
        yield opened


def insert_articles(conn: sqlite3.Connection, ids: range) -> None:
    conn.executemany(
        "INSERT INTO articles (id, url) VALUES (?, ?)",
        [(i, f"https://fr.sputniknews.com/{i}.html") for i in ids],
    )


def band_rows(conn: sqlite3.Connection, article_id: int) -> int:
    query = "SELECT count(*) FROM dedupe_bands WHERE article_id = ?"
    return int(conn.execute(query, [article_id]).fetchone()[0])


def signature_rows(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM dedupe_signatures").fetchone()[0])


def test_index_finds_planted_duplicates_among_2000_articles(archive: Archive) -> None:
    rng = random.Random(2024)
    conn = archive.db.conn
    originals = [article(rng) for _ in range(2000)]
    insert_articles(conn, range(1, len(originals) + 1))
    index = NearDuplicateIndex(archive.db)
    signatures = {i: text.signature() for i, text in enumerate(originals, start=1)}
    for article_id, sig in signatures.items():
        index.add(article_id, sig)
    conn.commit()
    assert signature_rows(conn) == 2000

    planted: list[tuple[Signature, int, str]] = []
    for number, article_id in enumerate(rng.sample(sorted(signatures), 400)):
        text = originals[article_id - 1]
        kind = ("one sentence", "two sentences", "reworded", "exact copy")[number % 4]
        if kind == "one sentence":
            sig = replace_sentences(rng, text, 1).signature()
        elif kind == "two sentences":
            sig = replace_sentences(rng, text, 2).signature()
        elif kind == "reworded":
            sig = reword(rng, text).signature()
        else:
            sig = signature(*restyle(text))
            assert text_hash(*restyle(text)) == text_hash(*text.fields())
        planted.append((sig, article_id, kind))

    returned = correct = 0
    for sig, expected, kind in planted:
        match = index.best_match(sig)
        if match is not None:
            returned += 1
            correct += match[0] == expected
            assert match[1] >= NearDuplicateIndex.THRESHOLD
            if kind == "exact copy":
                assert match == (expected, 1.0)
    unrelated = [article(rng).signature() for _ in range(300)]
    for sig in unrelated:
        match = index.best_match(sig)
        assert match is None
    for article_id, sig in signatures.items():
        # every original is distinct: nothing but itself is near it
        match = index.best_match(sig, exclude=article_id)
        returned += match is not None
    assert index.best_match(signatures[7]) == (7, 1.0)

    precision = correct / returned
    recall = correct / len(planted)
    assert precision >= 0.95, (precision, recall)
    assert recall >= 0.95, (precision, recall)

    # A lookup reads a handful of candidates, not the archive.
    read = sum(len(index.candidates(sig)) for sig in unrelated)
    assert read / len(unrelated) < 1


def two_texts(seed: int) -> tuple[Text, Text]:
    rng = random.Random(seed)
    return article(rng), article(rng)


def test_add_twice_replaces(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 3))
    index = NearDuplicateIndex(archive.db)
    first, second = two_texts(10)
    index.add(1, first.signature())
    index.add(1, first.signature())
    assert band_rows(conn, 1) == BANDS
    index.add(1, second.signature())
    assert band_rows(conn, 1) == BANDS
    assert signature_rows(conn) == 1
    stored = conn.execute("SELECT signature FROM dedupe_signatures WHERE article_id = 1")
    assert stored.fetchone()[0] == second.signature().to_bytes()
    assert index.best_match(first.signature()) is None
    assert index.candidates(first.signature()) == set()
    assert index.best_match(second.signature()) == (1, 1.0)


def test_remove(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 4))
    index = NearDuplicateIndex(archive.db)
    first, second = two_texts(11)
    index.add(1, first.signature())
    index.add(2, second.signature())
    index.remove(1)
    index.remove(1)  # not indexed any more: nothing to do
    index.remove(3)  # never indexed
    assert band_rows(conn, 1) == 0
    assert band_rows(conn, 2) == BANDS
    assert signature_rows(conn) == 1
    assert index.candidates(first.signature()) == set()
    assert index.best_match(first.signature()) is None
    assert index.best_match(second.signature()) == (2, 1.0)


def test_best_match_prefers_the_most_similar_then_the_earliest(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 6))
    rng = random.Random(12)
    text = article(rng)
    far, near = replace_sentences(rng, text, 3), replace_sentences(rng, text, 1)
    index = NearDuplicateIndex(archive.db)
    index.add(5, text.signature())
    index.add(2, far.signature())
    index.add(4, text.signature())
    index.add(3, near.signature())
    assert index.best_match(text.signature()) == (4, 1.0)
    assert index.best_match(text.signature(), exclude=4) == (5, 1.0)
    index.remove(4)
    index.remove(5)
    match = index.best_match(text.signature())
    assert match is not None
    assert match[0] == 3
    assert match[1] == near.signature().similarity(text.signature())
    assert index.candidates(text.signature()) == {2, 3}


def test_threshold(archive: Archive) -> None:
    insert_articles(archive.db.conn, range(1, 2))
    rng = random.Random(13)
    text = article(rng)
    changed = replace_sentences(rng, text, 1).signature()
    NearDuplicateIndex(archive.db).add(1, text.signature())
    assert NearDuplicateIndex(archive.db).best_match(changed) is not None
    assert NearDuplicateIndex(archive.db, threshold=0.99).best_match(changed) is None
    for bad in (0.0, -0.5, 1.5):
        with pytest.raises(ValueError):
            NearDuplicateIndex(archive.db, threshold=bad)


def test_candidates_below_the_threshold_are_not_matches(archive: Archive) -> None:
    rng = random.Random(18)
    insert_articles(archive.db.conn, range(1, 41))
    index = NearDuplicateIndex(archive.db)
    queries = []
    for article_id in range(1, 41):
        text, other, _ = pair_at(rng, 0.45, ARTICLE_WORDS)
        index.add(article_id, text.signature())
        queries.append((article_id, other.signature()))
    # about 3 in 4 such pairs share a band; none is similar enough to be a near duplicate
    candidates = [sig for article_id, sig in queries if article_id in index.candidates(sig)]
    assert len(candidates) >= 20
    for sig in candidates:
        assert index.best_match(sig) is None


def test_writes_join_the_callers_transaction(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 3))
    conn.commit()
    index = NearDuplicateIndex(archive.db)
    first, second = two_texts(14)
    conn.execute("BEGIN IMMEDIATE")
    index.add(1, first.signature())
    index.add(2, second.signature())
    assert conn.in_transaction
    conn.rollback()
    assert signature_rows(conn) == 0
    assert index.best_match(first.signature()) is None


def test_empty_signature_is_stored_but_matches_nothing(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 3))
    index = NearDuplicateIndex(archive.db)
    empty = signature(None, None, "…")
    index.add(1, empty)
    index.add(2, empty)
    assert signature_rows(conn) == 2
    assert band_rows(conn, 1) == 0
    assert index.best_match(empty) is None
    assert index.candidates(empty) == set()
    index.add(1, two_texts(15)[0].signature())
    assert band_rows(conn, 1) == BANDS


def test_works_on_a_plain_connection(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "plain.db")
    conn.execute(
        "CREATE TABLE dedupe_signatures (article_id INTEGER PRIMARY KEY, signature BLOB NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE dedupe_bands (band INTEGER, bucket INTEGER, article_id INTEGER,"
        " PRIMARY KEY (band, bucket, article_id)) WITHOUT ROWID"
    )
    index = NearDuplicateIndex(conn)
    text = article(random.Random(16))
    index.add(1, text.signature())
    assert index.best_match(text.signature()) == (1, 1.0)
    conn.close()


def test_every_statement_uses_an_index(archive: Archive) -> None:
    conn = archive.db.conn
    insert_articles(conn, range(1, 3))
    index = NearDuplicateIndex(archive.db)
    first, second = two_texts(17)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    index.add(1, first.signature())
    index.add(1, second.signature())
    index.candidates(first.signature())
    index.best_match(second.signature())
    index.remove(1)
    conn.set_trace_callback(None)
    planned = 0
    for statement in statements:
        if not re.match(r"\s*(SELECT|DELETE|UPDATE)\b.*\bdedupe_", statement, re.S | re.I):
            continue
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + statement)]
        planned += 1
        scans = [step for step in plan if re.match(r"SCAN (dedupe_\w+)", step)]
        assert not scans, (statement[:200], plan)
    assert planned >= 5
