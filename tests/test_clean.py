from __future__ import annotations

import unicodedata

import pytest

from crawler.pipelines.clean import CleanPipeline
from extraction.items import ROLE_ARTICLE, Article, PageItem, RelatedLink
from extraction.pages.clean import clean_article, clean_paragraphs, clean_text
from extraction.sites.sputnik import SPUTNIK


def test_clean_text_folds_whitespace_runs() -> None:
    assert clean_text("  Les  militaires\t\trusses \n ont ") == "Les militaires russes ont"


def test_clean_text_keeps_a_lone_no_break_space_of_french_typography() -> None:
    assert clean_text("Il a dit\u00a0: «\u00a0oui\u00a0»") == "Il a dit\u00a0: «\u00a0oui\u00a0»"


def test_clean_text_folds_a_no_break_space_inside_a_run() -> None:
    assert clean_text("a \u00a0 b") == "a b"


def test_clean_text_gives_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "sécurité États")
    assert decomposed != "sécurité États"
    assert clean_text(decomposed) == "sécurité États"


def test_clean_text_drops_control_and_zero_width_characters() -> None:
    assert clean_text("Sy\u200brie\u0007\ufeff") == "Syrie"


def test_clean_text_of_blank_is_none() -> None:
    assert clean_text(" \u00a0\n\t ") is None
    assert clean_text(None) is None


def test_clean_paragraphs_drops_chrome_and_keeps_paragraph_breaks() -> None:
    body = (
        "Premier  paragraphe.\n\nS'abonner\n\n\n\n Second.\n\nCommenter via Sputnik\n\nLire aussi:"
    )
    assert clean_paragraphs(body, SPUTNIK.strip_patterns) == "Premier paragraphe.\n\nSecond."


def test_a_site_s_chrome_is_that_site_s_only() -> None:
    # Sputnik's comment widget is chrome on Sputnik's pages, a sentence like another elsewhere.
    body = "Premier.\n\nCommenter via Sputnik\n\nSecond."
    article = Article(url="https://fr.sputniknews.africa/a/", site="sputnik", body=body)
    assert clean_article(article).body == "Premier.\n\nSecond."
    elsewhere = Article(url="https://www.journal.example/a/", site="journal.example", body=body)
    assert clean_article(elsewhere).body == body


def test_clean_paragraphs_keeps_a_sentence_that_merely_mentions_chrome_words() -> None:
    body = "La discussion a duré deux heures."
    assert clean_paragraphs(body) == body


def test_clean_article_cleans_every_text_field_and_dedupes_lists() -> None:
    article = Article(
        url="http://h/a",
        site="sputnik",
        title="  Titre\u0301 ",
        lead="Chapeau  ici",
        body="P1\n\nÉcoutez Radio Sputnik\n\nP2",
        tags=["Syrie", " Syrie ", "", "Russie"],
        authors=["  Jean  Dupont "],
        related=[
            RelatedLink(url="http://h/b", title=" B  b ", kind="lire_aussi", position=3),
            RelatedLink(url="http://h/b", title="B again", kind="lire_aussi", position=4),
            RelatedLink(url="http://h/c", title="C", kind="inline", position=5),
        ],
    )
    cleaned = clean_article(article)
    assert cleaned.title == unicodedata.normalize("NFC", "Titre\u0301")
    assert cleaned.lead == "Chapeau ici"
    assert cleaned.body == "P1\n\nP2"
    assert cleaned.tags == ["Syrie", "Russie"]
    assert cleaned.authors == ["Jean Dupont"]
    assert [(r.url, r.title, r.kind, r.position) for r in cleaned.related] == [
        ("http://h/b", "B b", "lire_aussi", 0),
        ("http://h/c", "C", "inline", 1),
    ]


def test_pipeline_cleans_the_article_of_a_page_item() -> None:
    item = PageItem(
        url="http://h/a", role=ROLE_ARTICLE, article=Article(url="http://h/a", title=" T ")
    )
    out = CleanPipeline().process_item(item)
    assert out is item
    assert item.article is not None and item.article.title == "T"


def test_clean_text_repairs_double_encoded_utf8() -> None:
    broken = "la sÃ©curitÃ© des opÃ©rations en Syrie â€” lâ€™aviation"
    assert clean_text(broken) == "la sécurité des opérations en Syrie — l’aviation"


def test_clean_text_leaves_correct_french_alone() -> None:
    text = "Ça coûte 5\u00a0€\u00a0; «\u00a0Âme\u00a0» et l’État — â ŒUVRE"
    assert clean_text(text) == text


@pytest.mark.parametrize(
    "paragraph",
    [
        "Suivez Sputnik sur Telegram pour ne rien manquer de l’actualité.",
        "Abonnez-vous à notre newsletter",
        "Pour lire cet article, acceptez les cookies de réseaux sociaux.",
        "Écoutez Radio Sputnik",
        "Commenter via Facebook",
        "Retrouvez Sputnik France sur les réseaux sociaux\u00a0: VK, Facebook et Twitter.",
        "Ce contenu vous a plu\u00a0? Partagez-le avec vos amis.",
    ],
)
def test_boilerplate_paragraphs_never_reach_the_body(paragraph: str) -> None:
    body = f"Premier.\n\n{paragraph}\n\nSecond."
    assert clean_paragraphs(body, SPUTNIK.strip_patterns) == "Premier.\n\nSecond."


@pytest.mark.parametrize(
    "paragraph",
    [
        "Les autorités russes ont bloqué Telegram en 2018, rappelle le média.",
        "Le régulateur demande aux sites de ne plus forcer les internautes à accepter les cookies.",
        "« Abonnez-vous ! », avait lancé le ministre aux journalistes.",
    ],
)
def test_paragraphs_that_mention_those_words_stay(paragraph: str) -> None:
    assert clean_paragraphs(paragraph, SPUTNIK.strip_patterns) == paragraph
