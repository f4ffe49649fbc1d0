"""The order in which page objects trust the signals of a page, rule by rule.

Each rule was broken by a real Sputnik page (``fixtures/real/``, tested whole in
``test_real_pages.py``); here each one stands alone on the smallest page that shows it, with
the markup the real pages use, so that a failure names the rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extraction.pages import ArticlePage, SputnikArticlePage
from extraction.pages.base import names_its_instant

URL = "https://sputniknews.com/world/201911181077343476-slug/"


def legacy(
    *,
    html_attrs: str = 'itemscope itemtype="http://schema.org/NewsArticle"',
    head: str = "",
    header: str = "",
    refs: str = "",
    text: str = "<p>Le premier paragraphe.</p><p>Le second.</p>",
    after: str = "",
) -> str:
    """A legacy-layout page as the real ones are built: the headline block in ``div.b-header``
    above ``div.l-main``, the article block below it."""
    return f"""<!DOCTYPE html><html lang="fr" {html_attrs}><head>
<meta property="og:type" content="website"><meta property="og:title" content="Titre og">
{head}</head><body>
<div class="l-wrap"><div class="b-header"><a class="b-header__logo" href="/"></a>
{header}</div></div>
<div class="l-main"><div class="b-article">
<div class="b-article__refs-text">{refs}</div>
<div itemprop="description" class="b-article__lead"><p>Le chapeau.</p></div>
<div itemprop="articleBody" class="b-article__text">{text}</div>
{after}
</div></div></body></html>"""


HEADER = """<div class="b-article__header">
<img src="https://cdn.example/images/1077343445.jpg" alt="La légende de la photo"
 itemprop="associatedMedia">
<div class="b-article__header-title"><h1 itemprop="name">Le vrai titre</h1></div>
<div class="b-article__header-copy"><span><span>
    ©
  REUTERS / POOL</span></span></div></div>"""
COMMENTS = """<section class="comments"><form><img alt="avatar" class="avatar"
src="https://cdn.example/i/avatar-default.png"></form>
<img alt="avatar" src="https://cdn.example/i/user-123.jpg"></section>"""
REFS_CREDITS = """<div class="b-article__refs-credits"><time class="b-article__refs-date"
itemprop="dateCreated" datetime="2019-11-18T21:17">21:17 18.11.2019</time>
<span id="getShortUrl" data-shorturl="" class="b-article__refs-getshorturl">URL courte</span>
</div>"""


def sputnik(html: str) -> SputnikArticlePage:
    return SputnikArticlePage(URL, html.encode("utf-8"), "utf-8")


# -- article evidence and headline ------------------------------------------------------


def test_microdata_article_on_html_counts_as_article_evidence() -> None:
    page = ArticlePage(URL, legacy(header=HEADER))
    assert page.meta("og:type") == "website"
    assert page.is_article_type
    assert page.title == "Le vrai titre"  # the microdata name, before og:title


def test_without_any_article_evidence_og_title_is_not_a_headline() -> None:
    page = ArticlePage(URL, legacy(html_attrs="", header=HEADER))
    assert not page.is_article_type
    assert page.title is None


@pytest.mark.parametrize("microdata", [True, False])
def test_headline_found_above_the_article_block(microdata: bool) -> None:
    attrs = 'itemscope itemtype="http://schema.org/NewsArticle"' if microdata else ""
    page = sputnik(legacy(html_attrs=attrs, header=HEADER))
    article = page.to_item()
    assert article.title == "Le vrai titre"
    assert article.is_article
    assert article.lead == "Le chapeau."
    assert article.body == "Le premier paragraphe.\n\nLe second."


def test_microdata_headline_in_a_nested_item_is_not_the_article_s() -> None:
    html = legacy(
        header=HEADER.replace('itemprop="name"', ""),
        after='<div itemprop="publisher" itemscope itemtype="http://schema.org/Organization">'
        '<h2 itemprop="name">Sputnik</h2></div>',
    )
    assert sputnik(html).title == "Le vrai titre"  # the layout's class, not the publisher


# -- time -------------------------------------------------------------------------------


def test_utc_date_published_wins_over_a_time_without_offset() -> None:
    html = legacy(
        head='<meta itemprop="datePublished" content="2019-11-18T21:17:27Z">',
        header=HEADER,
        refs=REFS_CREDITS,
    )
    article = sputnik(html).to_item()
    assert article.published_at == "2019-11-18T21:17:27+00:00"
    assert article.published_at_raw == "2019-11-18T21:17:27Z"


def test_a_time_without_offset_alone_is_read_in_the_site_zone() -> None:
    article = sputnik(legacy(header=HEADER, refs=REFS_CREDITS)).to_item()
    assert article.published_at == "2019-11-18T21:17:00+03:00"
    assert article.published_at_raw == "2019-11-18T21:17"


def test_json_ld_with_offset_wins_over_the_layout_time() -> None:
    ld = {"@type": "NewsArticle", "datePublished": "2019-11-18T22:17:27+01:00"}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    article = sputnik(legacy(head=head, header=HEADER, refs=REFS_CREDITS)).to_item()
    assert article.published_at == "2019-11-18T22:17:27+01:00"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("2019-11-18T21:17:27Z", True),
        ("2019-11-18T21:17:27+03:00", True),
        ("2019-11-18T21:17+0300", True),
        ("1574111847", True),
        ("21:17 GMT 18.11.2019", True),
        ("2019-11-18T21:17", False),
        ("2019-11-18", False),
        ("18.11.2019 21:17", False),
        ("not a date", False),
    ],
)
def test_names_its_instant(value: str, named: bool) -> None:
    assert names_its_instant(value) is named


# -- photo and credit -------------------------------------------------------------------


def test_photo_above_the_article_block_with_its_own_credit() -> None:
    article = sputnik(legacy(header=HEADER, refs=REFS_CREDITS, after=COMMENTS)).to_item()
    assert article.image_url == "https://cdn.example/images/1077343445.jpg"
    assert article.image_caption == "La légende de la photo"
    assert article.image_credit == "© REUTERS / POOL"


def test_a_comment_avatar_is_never_the_photo_and_the_date_line_never_the_credit() -> None:
    header = HEADER.replace('<img src="https://cdn.example/images/1077343445.jpg"', "<span")
    header = header.replace('itemprop="associatedMedia">', "></span>")
    head = '<meta property="og:image" content="https://cdn.example/images/og.jpg">'
    article = sputnik(legacy(head=head, header=header, refs=REFS_CREDITS, after=COMMENTS)).to_item()
    assert article.image_url == "https://cdn.example/images/og.jpg"
    assert article.image_caption is None
    assert article.image_credit is None


@pytest.mark.parametrize(
    "img",
    [
        '<img class="avatar" alt="" src="https://cdn.example/a/1.jpg">',
        '<img alt="avatar" src="https://cdn.example/a/2.jpg">',
        '<img alt="" src="https://cdn.example/i/logo.png">',
        '<img alt="" class="b-icon" src="https://cdn.example/a/3.svg">',
        '<img alt="" src="https://cdn.example/i/avatar-default.png">',
    ],
)
def test_avatars_logos_and_icons_are_never_the_photo(img: str) -> None:
    text = f"<figure>{img}</figure><p>Le premier paragraphe.</p>"
    page = sputnik(legacy(header=HEADER.replace("<img", "<span"), text=text))
    assert page.photo_element is None
    assert page.to_item().image_url is None


def test_microdata_image_when_the_layout_shows_none() -> None:
    after = '<div class="b-article__meta"><div itemprop="image">https://cdn.example/img/9.jpg</div></div>'
    header = HEADER.replace("<img", "<span").replace('itemprop="associatedMedia">', "></span>")
    assert sputnik(legacy(header=header, after=after)).image_url == "https://cdn.example/img/9.jpg"


# -- authors ----------------------------------------------------------------------------

PUBLISHER = """<div itemprop="publisher" itemscope itemtype="http://schema.org/Organization">
<div itemprop="name">Sputnik International</div></div>"""


def test_microdata_person_author_without_the_publisher_run_into_the_name() -> None:
    after = (
        '<div class="b-article__meta">'
        + PUBLISHER
        + '<div itemprop="author" itemscope itemtype="http://schema.org/Person">'
        '<div itemprop="name">Wilmer Leon. Sputnik International</div></div></div>'
    )
    assert sputnik(legacy(header=HEADER, after=after)).authors == ["Wilmer Leon"]


def test_microdata_organisation_author_is_no_author() -> None:
    after = (
        '<div itemprop="author" itemscope itemtype="http://schema.org/Organization">'
        '<div itemprop="name">Sputnik</div></div>'
    )
    assert sputnik(legacy(header=HEADER, after=after)).authors == []


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ({"@type": "Organization", "name": "Sputnik"}, []),
        ({"@type": "NewsMediaOrganization", "name": "Sputnik France"}, []),
        ({"@type": "Person", "name": "Sputnik France"}, []),  # the site's own name
        ({"@type": "Person", "name": "Irina Dmitrieva"}, ["Irina Dmitrieva"]),
        ("Sputnik France", []),
    ],
)
def test_json_ld_organisation_is_no_author(author: object, expected: list[str]) -> None:
    ld = {"@type": "NewsArticle", "author": author, "publisher": {"name": "Sputnik France"}}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    assert ArticlePage(URL, legacy(head=head)).authors == expected


def test_a_byline_naming_the_site_is_no_author() -> None:
    refs = '<div class="b-article__refs-author">par <a href="/authors/x/">Sputnik France</a></div>'
    head = '<meta property="og:site_name" content="Sputnik France">'
    assert sputnik(legacy(head=head, header=HEADER, refs=refs)).authors == []


# -- text -------------------------------------------------------------------------------


def test_opinion_disclaimer_is_not_article_text() -> None:
    text = (
        "<p>Le premier paragraphe.</p><p class='b-disclaimer'>Les opinions exprimées dans "
        "cet article ne reflètent pas nécessairement celles de la rédaction.</p>"
    )
    article = sputnik(legacy(header=HEADER, text=text)).to_item()
    assert article.lead == "Le chapeau."
    assert article.body == "Le premier paragraphe."


def test_short_url_from_the_data_attribute_of_the_real_markup() -> None:
    refs = REFS_CREDITS.replace('data-shorturl=""', 'data-shorturl="https://sptnkne.ws/abcD"')
    assert sputnik(legacy(header=HEADER, refs=refs)).short_url == "https://sptnkne.ws/abcD"


# -- what a caption, a name or a teaser must not trip -----------------------------------

REAL = Path(__file__).parent / "fixtures" / "real"
REAL_2019 = "en_sputniknews_2019_columnists_prince_andrew"
REFERENCE = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("attend the Royal", "attend the iconic Royal"),
        ("attend the Royal", "attend the Royal (logo on the wall)"),
        ('class="responsive"', 'class="responsive has-comments"'),
    ],
)
def test_words_of_a_caption_or_of_the_page_never_reject_the_photo(before: str, after: str) -> None:
    html = (REAL / f"{REAL_2019}.html").read_text(encoding="utf-8")
    assert html.count(before) >= 1
    article = SputnikArticlePage(REFERENCE[REAL_2019]["url"], html.replace(before, after, 2))
    found = article.to_item()
    assert found.image_url == "https://cdn4.img.sputniknews.com/images//107734/34/1077343445.jpg"
    assert found.image_credit == "© REUTERS / POOL"
    assert found.image_caption is not None and found.image_caption.startswith("Britain's")


def test_an_image_in_a_form_without_class_is_no_photo() -> None:
    text = '<form><figure><img src="https://cdn.example/a/1.jpg"></figure></form><p>Un.</p>'
    page = sputnik(legacy(header=HEADER.replace("<img", "<span"), text=text))
    assert page.photo_element is None


@pytest.mark.parametrize(
    ("site_name", "author", "expected"),
    [
        ("Elle", "Sophie Chapelle", ["Sophie Chapelle"]),
        ("RT", "Jean Lambert", ["Jean Lambert"]),
        ("Marianne", "Anne-Marianne Dupuis", ["Anne-Marianne Dupuis"]),
        ("RT", "Jean Lambert - RT", ["Jean Lambert"]),
        ("RT", "RT", []),
    ],
)
def test_a_name_ending_like_the_publisher_is_kept(
    site_name: str, author: str, expected: list[str]
) -> None:
    head = (
        f'<meta property="og:site_name" content="{site_name}">'
        f'<meta name="author" content="{author}">'
    )
    assert ArticlePage(URL, legacy(head=head)).authors == expected


@pytest.mark.parametrize("case", sorted(REFERENCE))
def test_a_text_property_on_a_link_is_its_text(case: str) -> None:
    """``<a href="/columnists/" itemprop="articleSection">Columnists</a>``: the section is
    the text a reader sees, not the link's URL (the standard microdata value)."""
    reference = REFERENCE[case]
    page = ArticlePage(reference["url"], (REAL / f"{case}.html").read_bytes())
    assert page.category == reference["category"]


def test_a_microdata_author_link_is_the_name_it_shows() -> None:
    refs = 'Par <a itemprop="author" href="/auteurs/jean-dupont/">Jean Dupont</a>'
    assert ArticlePage(URL, legacy(refs=refs)).authors == ["Jean Dupont"]


TEASER = """<div itemscope itemtype="http://schema.org/NewsArticle"><h3 itemprop="headline">
Un autre article</h3><meta itemprop="datePublished" content="2023-01-01T00:00:00Z"></div>"""


def test_a_teaser_item_before_the_article_is_not_the_article() -> None:
    body = f"""<html><head><meta property="og:type" content="article">
<meta property="og:title" content="Le vrai titre">
<meta property="article:published_time" content="2024-05-02T10:00:00+02:00"></head><body>
<aside>{TEASER}</aside><article itemscope itemtype="http://schema.org/NewsArticle">
<h1 itemprop="headline">Le vrai titre</h1><div itemprop="articleBody"><p>Texte.</p></div>
</article></body></html>"""
    page = ArticlePage(URL, body)
    assert page.microdata_article is not None and page.microdata_article.tag == "article"
    assert (page.title, page.published_at) == ("Le vrai titre", "2024-05-02T10:00:00+02:00")


def test_of_two_article_items_without_a_body_neither_is_the_page_s() -> None:
    body = f"""<html><head><meta property="og:type" content="article">
<meta property="og:title" content="Le vrai titre"></head><body>{TEASER}{TEASER}</body></html>"""
    page = ArticlePage(URL, body)
    assert page.microdata_article is None
    assert page.title == "Le vrai titre"


def test_teasers_inside_the_page_s_item_are_not_the_page() -> None:
    html = legacy(header=HEADER, after=f"<div class='b-inject'>{TEASER}</div>")
    page = sputnik(html)
    assert page.microdata_article is page.root
    assert page.title == "Le vrai titre"
