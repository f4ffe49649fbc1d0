"""The generic page object, one rule at a time, on small pages built by hand.

Each page holds just what its rule reads, plus article text around it so that the main-text
extractor has an article to find. The real pages are in ``test_generic_corpus.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from extraction import sites
from extraction.items import Article
from extraction.pages.generic import GenericArticlePage
from extraction.sites import Site

URL = "https://www.journal-exemple.fr/politique/un-titre-d-article-1234567.html"

#: Article text: long enough paragraphs for any main-text extractor to take them.
PARAGRAPHS = [
    "Le gouvernement a présenté mercredi un projet de loi sur la transition énergétique, "
    "après des mois de concertation avec les syndicats, les élus locaux et les associations "
    "de défense de l'environnement.",
    "Le texte prévoit notamment la fermeture des dernières centrales à charbon d'ici à 2027 "
    "et un plan d'investissement de plusieurs milliards d'euros dans les réseaux de chaleur, "
    "selon le ministère.",
    "Les députés de l'opposition ont dénoncé un calendrier trop lent, tandis que plusieurs "
    "fédérations patronales s'inquiètent du coût des mesures pour les entreprises les plus "
    "consommatrices d'énergie.",
    "Le débat en séance publique doit commencer à la fin du mois, et le vote solennel est "
    "attendu avant la suspension des travaux parlementaires de l'été, a précisé le "
    "porte-parole du gouvernement.",
]


def page_html(head: str = "", before: str = "", inside: str = "", after: str = "") -> str:
    """A page: ``head`` in <head>, then an <article> with ``before`` the paragraphs, ``inside``
    between the second and third, ``after`` them."""
    first, second, *rest = (f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>{head}</head><body>"
        "<header><nav><a href='/'>Accueil</a> <a href='/politique/'>Politique</a></nav></header>"
        f"<main><article>{before}{first}{second}{inside}{''.join(rest)}{after}</article></main>"
        "<footer><p>© Journal Exemple — Mentions légales — Contact</p></footer></body></html>"
    )


def extract(html: str, url: str = URL) -> Article:
    return GenericArticlePage(url, html.encode("utf-8"), "utf-8").to_item()


def json_ld(value: Any) -> str:
    return f"<script type='application/ld+json'>{json.dumps(value)}</script>"


def body_paragraphs(article: Article) -> list[str]:
    return (article.body or "").split("\n\n")


def test_the_article_text_is_the_body() -> None:
    article = extract(page_html())
    assert body_paragraphs(article) == PARAGRAPHS
    assert "Mentions légales" not in (article.body or "")
    assert "Accueil" not in (article.body or "")


def test_site_is_the_host_without_www() -> None:
    assert extract(page_html()).site == "journal-exemple.fr"


# --- metadata -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "article_type",
    ["NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "LiveBlogPosting"],
)
def test_json_ld_inside_a_graph(article_type: str) -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Journal Exemple", "headline": "Pas celui-ci"},
            {
                "@type": article_type,
                "headline": "La loi sur l'énergie présentée",
                "datePublished": "2024-05-02T08:30:00+02:00",
                "author": [{"@type": "Person", "name": "Claire Dupont"}],
                "publisher": {"@type": "Organization", "name": "Journal Exemple"},
                "articleSection": "Politique",
            },
        ],
    }
    article = extract(page_html(head=json_ld(graph)))
    assert article.title == "La loi sur l'énergie présentée"
    assert article.published_at == "2024-05-02T08:30:00+02:00"
    assert article.authors == ["Claire Dupont"]
    assert article.category == "Politique"


def test_dublin_core_only() -> None:
    head = (
        "<meta name='DC.title' content='Le titre selon Dublin Core'>"
        "<meta name='DC.creator' content='Paul Martin'>"
        "<meta name='DC.date' content='2023-11-05T14:00:00+01:00'>"
        "<meta name='dcterms.modified' content='2023-11-06T09:15:00+01:00'>"
    )
    article = extract(page_html(head=head))
    assert article.title == "Le titre selon Dublin Core"
    assert article.authors == ["Paul Martin"]
    assert article.published_at == "2023-11-05T14:00:00+01:00"
    assert article.modified_at == "2023-11-06T09:15:00+01:00"


def test_dcterms_only() -> None:
    head = (
        "<meta name='dcterms.title' content='Le titre selon dcterms'>"
        "<meta name='dcterms.creator' content='Anne Leroy'>"
        "<meta name='dcterms.issued' content='2023-11-05T14:00:00+01:00'>"
    )
    article = extract(page_html(head=head))
    assert article.title == "Le titre selon dcterms"
    assert article.authors == ["Anne Leroy"]
    assert article.published_at == "2023-11-05T14:00:00+01:00"


def test_microdata_only() -> None:
    first, *rest = (f"<p>{text}</p>" for text in PARAGRAPHS)
    html = (
        "<html lang='fr'><body><div itemscope itemtype='https://schema.org/NewsArticle'>"
        "<h1 itemprop='headline'>Le titre selon microdata</h1>"
        "<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
        "<span itemprop='name'>Luc Moreau</span></span>"
        "<time itemprop='datePublished' datetime='2021-06-01T07:45:00+02:00'>1er juin</time>"
        f"<div itemprop='articleBody'>{first}{''.join(rest)}</div></div></body></html>"
    )
    article = extract(html)
    assert article.title == "Le titre selon microdata"
    assert article.authors == ["Luc Moreau"]
    assert article.published_at == "2021-06-01T07:45:00+02:00"
    assert body_paragraphs(article) == PARAGRAPHS


def test_opengraph_only() -> None:
    head = (
        "<meta property='og:title' content='Le titre selon OpenGraph'>"
        "<meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2022-03-01T10:00:00Z'>"
        "<meta property='article:section' content='Économie'>"
        "<meta property='article:tag' content='énergie'>"
    )
    article = extract(page_html(head=head))
    assert article.title == "Le titre selon OpenGraph"
    assert article.published_at == "2022-03-01T10:00:00+00:00"
    assert article.category == "Économie"
    assert article.tags == ["énergie"]


def test_the_headline_a_reader_sees_wins_over_a_search_engine_one() -> None:
    head = json_ld({"@type": "NewsArticle", "headline": "Titre pour les moteurs"}) + (
        "<meta property='og:title' content='Le titre affiché'>"
    )
    article = extract(page_html(head=head, before="<h1>Le titre affiché</h1>"))
    assert article.title == "Le titre affiché"


def test_without_metadata_the_only_h1_then_the_title_tag() -> None:
    assert extract(page_html(before="<h1>Le titre du h1</h1>")).title == "Le titre du h1"
    assert extract(page_html(head="<title>Le titre de l'onglet</title>")).title == (
        "Le titre de l'onglet"
    )


def test_a_byline_with_co_authors() -> None:
    head = "<meta name='author' content='Martin Untersinger (avec Damien Leloup et Morgane Tual)'>"
    assert extract(page_html(head=head)).authors == [
        "Martin Untersinger",
        "Damien Leloup",
        "Morgane Tual",
    ]


# --- lead -----------------------------------------------------------------------------

STANDFIRST = (
    "Le texte, très attendu, doit permettre à la France de tenir ses engagements climatiques "
    "sans renoncer à sa souveraineté énergétique."
)


@pytest.mark.parametrize("css_class", ["article__desc", "fig-standfirst", "chapo", "chapeau"])
def test_the_standfirst_is_the_lead_not_the_body(css_class: str) -> None:
    html = page_html(before=f"<h1>Un titre</h1><p class='{css_class}'>{STANDFIRST}</p>")
    article = extract(html)
    assert article.lead == STANDFIRST
    assert body_paragraphs(article) == PARAGRAPHS


def test_the_meta_description_is_the_lead_only_where_the_page_shows_it() -> None:
    head = f"<meta name='description' content='{STANDFIRST}'>"
    shown = extract(page_html(head=head, before=f"<h1>Un titre</h1><div>{STANDFIRST}</div>"))
    assert shown.lead == STANDFIRST
    assert STANDFIRST not in (shown.body or "")
    assert extract(page_html(head=head)).lead is None


def test_a_weak_class_is_a_lead_only_after_the_headline() -> None:
    html = page_html(after=f"<div class='intro'>{STANDFIRST}</div>")
    assert extract(html).lead is None
    html = page_html(before=f"<h1>Un titre</h1><div class='intro'>{STANDFIRST}</div>")
    assert extract(html).lead == STANDFIRST


# --- what is not article text ---------------------------------------------------------


@pytest.mark.parametrize(
    "notice",
    [
        "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
        "La suite est réservée à nos abonnés.",
        "Cet article est réservé aux abonnés. Déjà abonné ? Se connecter",
    ],
)
def test_paywall_notice_stripped(notice: str) -> None:
    article = extract(page_html(after=f"<p>{notice}</p>"))
    assert body_paragraphs(article) == PARAGRAPHS


def test_paywall_box_stripped() -> None:
    box = "<div class='paywall'><p>Offre spéciale : 1 € le premier mois, sans engagement.</p></div>"
    article = extract(page_html(after=box))
    assert body_paragraphs(article) == PARAGRAPHS


@pytest.mark.parametrize(
    "box",
    [
        "<div class='newsletter'><p>Recevez chaque matin l'essentiel de l'actualité "
        "politique, directement dans votre boîte aux lettres électronique.</p></div>",
        "<div class='share'><p>Partager cet article sur les réseaux sociaux, par courriel "
        "ou en copiant son lien, pour le faire connaître.</p></div>",
        "<p>Inscrivez-vous à notre newsletter et recevez l'essentiel de l'actualité.</p>",
        "<p>Partager sur : Facebook, Twitter, LinkedIn, WhatsApp</p>",
    ],
    ids=["newsletter box", "share box", "newsletter line", "share line"],
)
def test_newsletter_and_share_boxes_stripped(box: str) -> None:
    article = extract(page_html(inside=box))
    assert body_paragraphs(article) == PARAGRAPHS


@pytest.mark.parametrize(
    "block",
    [
        "<p>À lire aussi : <a href='/politique/autre-article-1.html'>Un autre article</a></p>",
        "<p><strong>LIRE AUSSI SUR REGARDS.FR<br>&gt;&gt;</strong> "
        "<i><a href='/politique/autre-article-1.html'>Un autre article</a></i></p>",
        "<div class='encadre'><h3>Lire aussi :</h3>"
        "<p><a href='/politique/autre-article-1.html'>Un autre article</a></p></div>",
        "<p>Lire également <a href='/politique/autre-article-1.html'>Un autre article</a></p>",
    ],
    ids=["à lire aussi", "lire aussi sur", "heading and link", "lire également"],
)
def test_lire_aussi_blocks_left_out(block: str) -> None:
    article = extract(page_html(inside=block))
    assert body_paragraphs(article) == PARAGRAPHS


def test_a_paragraph_that_only_mentions_reading_is_kept() -> None:
    sentence = (
        "Pour lire aussi entre les lignes de ce texte, il faut revenir aux débats de 2015 sur "
        "la loi de transition énergétique pour la croissance verte."
    )
    article = extract(page_html(inside=f"<p>{sentence}</p>"))
    assert sentence in body_paragraphs(article)


def test_a_strip_rule_never_removes_the_article_itself() -> None:
    html = page_html().replace("<article>", "<article class='share'>")
    assert body_paragraphs(extract(html)) == PARAGRAPHS


@pytest.mark.parametrize(
    ("og_title", "expected"),
    [
        ("Un titre - Bondy Blog", "Un titre"),
        ("Un titre | BondyBlog.fr", "Un titre"),
        ("Un titre - Un sous-titre - Bondy Blog", "Un titre - Un sous-titre"),
        ("Un titre - Un sous-titre", "Un titre - Un sous-titre"),
    ],
)
def test_the_site_name_after_a_title_is_dropped(og_title: str, expected: str) -> None:
    head = f"<meta property='og:title' content='{og_title}'>" + (
        "<meta property='og:site_name' content='Bondy Blog'>"
    )
    assert extract(page_html(head=head), "https://www.bondyblog.fr/societe/un-titre/").title == (
        expected
    )


def test_the_headline_shown_without_the_site_name() -> None:
    head = "<meta property='og:title' content='Le titre affiché - Journal Exemple'>"
    article = extract(page_html(head=head, before="<h1>Le titre affiché</h1>"))
    assert article.title == "Le titre affiché"


@pytest.mark.parametrize(
    "author", ["www.journal-exemple.fr", "MesOpinions.com", "rédaction", "AFP", "Reuters"]
)
def test_what_is_no_name_is_no_author(author: str) -> None:
    head = f"<meta name='author' content='{author}'>"
    assert extract(page_html(head=head)).authors == []


# --- a declared site's rules -------------------------------------------------------------


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Site:
    """journal-exemple.fr declared as a site with rules of its own, for one test."""
    site = Site(
        name="exemple",
        title="Journal Exemple",
        home="https://www.journal-exemple.fr/",
        domains=("journal-exemple.fr",),
        page_class=GenericArticlePage,
        time_zone=ZoneInfo("Europe/Paris"),
        strip_selectors=(".encart-maison",),
        strip_patterns=(re.compile(r"Le Journal Exemple vous offre .*"),),
        related_markers=("Pour aller plus loin",),
    )
    sites.all_sites()  # the declared sites registered first, then this one beside them
    monkeypatch.setitem(sites._SITES, site.name, site)
    return site


def test_a_declared_site_s_rules_apply(declared: Site) -> None:
    head = "<meta property='article:published_time' content='2024-05-02T08:30:00'>"
    inside = (
        "<div class='encart-maison'><p>Découvrez nos offres d'été.</p></div>"
        "<p>Le Journal Exemple vous offre cet article, en accès libre.</p>"
        "<p>Pour aller plus loin : <a href='/politique/autre-1.html'>Un autre article</a></p>"
    )
    article = extract(page_html(head=head, inside=inside))
    assert article.site == "exemple"
    assert article.published_at == "2024-05-02T08:30:00+02:00"
    assert body_paragraphs(article) == PARAGRAPHS


def test_without_the_site_its_rules_do_not_apply() -> None:
    inside = "<div class='encart-maison'><p>Découvrez nos offres d'été.</p></div>"
    assert "Découvrez nos offres" in (extract(page_html(inside=inside)).body or "")


# --- the article's container ---------------------------------------------------------------


def test_text_outside_the_article_container_is_not_read() -> None:
    teaser = "Un article voisin que la page propose en bas de colonne, sans rapport avec celui-ci."
    html = page_html().replace("<footer>", f"<div class='colonne'><p>{teaser}</p></div><footer>")
    page = GenericArticlePage(URL, html)
    assert page.container.tag == "article"
    assert body_paragraphs(page.to_item()) == PARAGRAPHS


def test_an_article_element_with_little_of_the_text_is_no_container() -> None:
    first, *rest = (f"<p>{text}</p>" for text in PARAGRAPHS)
    html = (
        "<html lang='fr'><body><main><article>" + first + "</article>"
        "<div class='suite'>" + "".join(rest) + "</div></main></body></html>"
    )
    page = GenericArticlePage(URL, html)
    assert page.container.tag == "main"
    assert body_paragraphs(page.to_item()) == PARAGRAPHS


# --- what the page shows where metadata says nothing (site fixtures' pages) --------------


def test_a_json_ld_author_given_by_id_is_the_graph_s_person() -> None:
    person = "https://www.journal-exemple.fr/#/schema/person/42"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "headline": "Un titre", "author": {"@id": person}},
            {"@type": ["Person"], "@id": person, "name": "Kab Niang"},
        ],
    }
    assert extract(page_html(head=json_ld(graph))).authors == ["Kab Niang"]


def test_the_author_of_the_webpage_that_is_this_page() -> None:
    # Yoast's graphs of 2019-2020: no Article node, the author on the WebPage, by @id.
    person = "https://www.journal-exemple.fr/#/schema/person/42"
    graph = {
        "@graph": [
            {"@type": "WebPage", "@id": "https://ailleurs.fr/#webpage", "author": {"@id": "x"}},
            {"@type": "WebPage", "@id": URL + "#webpage", "url": URL, "author": {"@id": person}},
            {"@type": "Person", "@id": person, "name": "Gilles Gressani"},
        ]
    }
    assert extract(page_html(head=json_ld(graph))).authors == ["Gilles Gressani"]


def test_without_metadata_the_byline_shown_with_the_headline() -> None:
    byline = (
        "<h1>Un titre</h1><div class='author'>Par <a class='author' href='/auteur/x'>"
        "Kab Niang</a> et <a rel='author' href='/auteur/y'>Loïc Le Clerc</a></div>"
    )
    article = extract(page_html(before=byline))
    assert article.authors == ["Kab Niang", "Loïc Le Clerc"]
    # far from the headline (a comment's or a teaser's "Par X"), no byline
    comments = "".join(f"<p>Commentaire {n}</p>" for n in range(50))
    far = comments + "<div class='author'>Par Bruno Gobin</div>"
    assert extract(page_html(before="<h1>Un titre</h1>", after=far)).authors == []


def test_metadata_authors_win_over_the_shown_byline() -> None:
    head = "<meta name='author' content='Emmanuelle Ducros'>"
    byline = "<h1>Un titre</h1><span class='byline'>Par Quelqu'un Dautre</span>"
    assert extract(page_html(head=head, before=byline)).authors == ["Emmanuelle Ducros"]


def test_without_a_machine_date_the_date_shown_in_the_site_s_zone(declared: Site) -> None:
    # The headline is an <h2> where the <h1> is the logo (SPIP's Regards).
    before = (
        "<h1><a href='/'>journal-exemple.fr</a></h1>"
        "<span class='meta'>Par <span class='vcard author'>Loïc Le Clerc</span> | "
        "<!-- span class='mag'>Regards</span -->30 septembre 2018</span>"
        "<h2>Deux ans et demi en Macronie</h2>"
    )
    head = "<meta property='og:title' content='Deux ans et demi en Macronie'>"
    article = extract(page_html(head=head, before=before))
    assert article.title == "Deux ans et demi en Macronie"
    assert article.published_at == "2018-09-30T00:00:00+02:00"
    assert article.authors == ["Loïc Le Clerc"]


def test_a_machine_date_wins_over_the_date_shown() -> None:
    head = "<meta property='article:published_time' content='2019-05-15T04:00:01Z'>"
    before = "<h1>Un titre</h1><span class='date'>15 Mai 2019 à 06h00</span>"
    assert extract(page_html(head=head, before=before)).published_at == "2019-05-15T04:00:01+00:00"
    shown = extract(page_html(before=before)).published_at
    assert shown == "2019-05-15T06:00:00+00:00"  # no declared site: UTC


def test_a_title_for_machines_typed_differently_is_the_one_shown() -> None:
    head = "<meta property='og:title' content=\"A Paris-8, beaucoup d'actions - Bondy Blog\">"
    article = extract(page_html(head=head, before="<h1>A Paris-8, beaucoup d’actions</h1>"))
    assert article.title == "A Paris-8, beaucoup d’actions"
    head = "<meta property='og:title' content=\"A Paris-8, beaucoup d'actions\">"
    article = extract(page_html(head=head, before="<h1>A Paris-8, beaucoup d’actions</h1>"))
    assert article.title == "A Paris-8, beaucoup d’actions"


def test_the_meta_description_behind_a_comment_is_the_lead() -> None:
    head = f"<meta name='description' content='{STANDFIRST}'>"
    before = f"<h1>Un titre</h1><h2><!--smart_paging_autop_filter-->{STANDFIRST}</h2>"
    article = extract(page_html(head=head, before=before))
    assert article.lead == STANDFIRST
    assert body_paragraphs(article) == PARAGRAPHS


def test_a_site_s_lead_selector(declared: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sites._SITES, declared.name, replace(declared, lead_selectors=(".cap",)))
    article = extract(page_html(before=f"<h1>Un titre</h1><div class='cap'>{STANDFIRST}</div>"))
    assert article.lead == STANDFIRST
    assert body_paragraphs(article) == PARAGRAPHS


def test_an_author_s_signature_line_is_no_text() -> None:
    head = "<meta name='author' content='Kab Niang'>"
    article = extract(page_html(head=head, after="<p>Kab NIANG</p><p>*Le prénom a été modifié</p>"))
    assert body_paragraphs(article) == [*PARAGRAPHS, "*Le prénom a été modifié"]


def test_a_bare_box_of_prose_opening_the_text_is_its_first_paragraph() -> None:
    facts = (
        "La firme Bayer, propriétaire de Monsanto, a été condamnée lundi aux Etats-Unis à payer "
        "la somme record de 2 milliards de dollars de dommages et intérêts."
    )
    before = f"<div class='faits'><!--smart_paging_autop_filter-->{facts}</div>"
    assert body_paragraphs(extract(page_html(before=before))) == [facts, *PARAGRAPHS]


def test_an_update_sentence_is_text_a_dateline_label_is_not() -> None:
    before = (
        "<p><i>Article mis à jour le 7 janvier 2020.</i></p><p>Publié le 18 juil. 2024 à 08:01</p>"
    )
    paragraphs = body_paragraphs(extract(page_html(before=before)))
    assert paragraphs == ["Article mis à jour le 7 janvier 2020.", *PARAGRAPHS]
