"""The declared French sites: registered, found by their hosts, their URL patterns true to
real URLs, their discovery paths well formed, and each backed by a real page or a note."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from lxml.html import fromstring

from extraction import sites
from extraction.pages.base import select
from extraction.pages.generic import GenericArticlePage
from extraction.sites import Site
from tests.site_cases import CASES

#: The French-language news sites this archive declares (Sputnik is declared elsewhere).
FRENCH = [site for site in sites.all_sites() if site.name != "sputnik"]


def test_at_least_ten_french_sites_are_declared() -> None:
    assert len(FRENCH) >= 10


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.lemonde.fr/", "lemonde"),
        ("https://abonnes.lemonde.fr/politique/", "lemonde"),
        (
            "https://www.lemonde.fr/amp/politique/article/2023/08/30/x_6187099_823448.html",
            "lemonde",
        ),
        ("https://www.lefigaro.fr/international", "lefigaro"),
        ("https://amp.lefigaro.fr/international/x-20241122", "lefigaro"),
        ("https://madame.lefigaro.fr/", "lefigaro"),
        ("https://www.lesechos.fr/monde", "lesechos"),
        ("https://investir.lesechos.fr/", "lesechos"),
        ("https://fr.euronews.com/green", "euronews"),
        ("https://www.euronews.com/green", None),  # the English edition
        ("https://www.liberation.fr/", "liberation"),
        ("http://next.liberation.fr/culture/", "liberation"),
        ("https://www.20minutes.fr/monde/", "vingtminutes"),
        ("https://www.20min.ch/fr/", None),  # a Swiss paper of its own
        ("https://www.francetvinfo.fr/monde/", "franceinfo"),
        ("https://www.franceinfo.fr/", "franceinfo"),
        ("https://mobile.francetvinfo.fr/monde/", "franceinfo"),
        ("https://www.rfi.fr/fr/afrique/", "rfi"),
        ("https://www.france24.com/fr/", "france24"),
        ("http://m.france24.com/fr/20171021-chine-charbon", "france24"),
        ("https://www.ouest-france.fr/", "ouestfrance"),
        ("https://www.lopinion.fr/", "lopinion"),
        ("https://legrandcontinent.eu/fr/", "legrandcontinent"),
        ("https://www.lepoint.fr/", "lepoint"),
        ("https://www.nouvelobs.com/", "lobs"),
        ("http://tempsreel.nouvelobs.com/politique/", "lobs"),
        ("https://www.mediapart.fr/journal/france", "mediapart"),
        ("https://www.leparisien.fr/", "leparisien"),
        ("https://www.la-croix.com/", "lacroix"),
        ("http://www.regards.fr/politique/", "regards"),
        ("https://www.bondyblog.fr/societe/", "bondyblog"),
        ("https://www.gala.fr/l_actu/news_de_stars", "gala"),
        ("https://notlemonde.fr/", None),
        ("https://lemonde.fr.example.org/", None),
    ],
)
def test_the_site_of_a_host(url: str, name: str | None) -> None:
    found = sites.site_of(url)
    assert (found.name if found else None) == name


@pytest.mark.parametrize("site", FRENCH, ids=lambda s: s.name)
def test_every_domain_and_its_subdomains_are_the_site(site: Site) -> None:
    for domain in site.domains + site.old_domains:
        assert sites.site_of(f"https://{domain}/") is site
        assert sites.site_of(f"https://amp.{domain}/") is site


#: Real article URLs of each site (from its fixtures, its pages' links, or the site itself),
#: and the day each carries (``None``: its URLs carry none, or carry it day first).
ARTICLES = [
    (
        "lemonde",
        "https://www.lemonde.fr/politique/article/2023/08/30/sophie-binet-met-en-garde-emmanuel"
        "-macron-sur-la-gravite-de-la-situation-dans-le-pays_6187099_823448.html",
        "20230830",
    ),
    (
        "lemonde",
        "http://www.lemonde.fr/pixels/article/2015/05/04/que-contient-la-loi-sur-le-renseignement"
        "_4627068_4408996.html",
        "20150504",
    ),
    (
        "lemonde",
        "https://www.lemonde.fr/sciences/article/2017/05/31/la-surexposition-des-jeunes-enfants"
        "-aux-ecrans-est-un-enjeu-majeur-de-sante-publique_5136297_1650684.html",
        "20170531",
    ),
    (
        "lefigaro",
        "https://www.lefigaro.fr/international/guerre-en-ukraine-deux-morts-dans-des-frappes"
        "-russes-dans-le-nord-est-du-pays-20241122",
        "20241122",
    ),
    (
        "lefigaro",
        "https://www.lefigaro.fr/international/la-natalite-russe-menacee-d-effondrement-20230314",
        "20230314",
    ),
    (
        "lesechos",
        "https://www.lesechos.fr/monde/enjeux-internationaux/le-fil-info-les-principales-infos"
        "-de-ce-jeudi-18-juillet-2108558",
        None,
    ),
    (
        "lesechos",
        "https://www.lesechos.fr/tech-medias/medias/tutoyant-ses-records-en-bourse-publicis"
        "-assoit-son-leadership-dans-la-publicite-2108547",
        None,
    ),
    (
        "euronews",
        "https://fr.euronews.com/green/2024/04/30/comment-les-efforts-europeens-ont-permis-de"
        "-sauver-le-merlu-de-lextinction",
        "20240430",
    ),
    (
        "euronews",
        "https://fr.euronews.com/culture/2026/01/06/just-coup-it-le-survetement-nike-de-nicolas"
        "-maduro-devient-une-sensation-virale-inattendue",
        "20260106",
    ),
    (
        "liberation",
        "http://www.liberation.fr/monde/2015/04/30/un-troisieme-francais-mort-dans-le-seisme-au"
        "-nepal_1278483",
        "20150430",
    ),
    (
        "liberation",
        "https://www.liberation.fr/economie/economie-numerique/sept-choses-a-savoir-sur-la"
        "-suspension-de-chatgpt-en-italie-20230331_L6YEOWWJU5HWDL3GF5P7QM5LFE/",
        "20230331",
    ),
    (
        "vingtminutes",
        "https://www.20minutes.fr/monde/2978295-20210216-vaccination-coree-nord-tente-pirater"
        "-donnees-pfizer",
        "20210216",
    ),
    (
        "vingtminutes",
        "https://www.20minutes.fr/monde/4082440-20240321-baisse-fertilite-2100-plupart-pays"
        "-verront-population-decliner",
        "20240321",
    ),
    (
        "franceinfo",
        "https://www.francetvinfo.fr/societe/sdf/belgique-des-abris-en-carton-pliants-distribues"
        "-aux-sans-abri_2539197.html",
        None,
    ),
    (
        "franceinfo",
        "https://www.francetvinfo.fr/sante/alimentation/les-francais-de-plus-en-plus-accros-au"
        "-grignotage_2653510.html",
        None,
    ),
    (
        "france24",
        "http://www.france24.com/fr/20171021-chine-charbon-centrale-etranger-energie"
        "-environnement-leader-climat",
        "20171021",
    ),
    (
        "france24",
        "https://www.france24.com/fr/am%C3%A9riques/20221122-au-br%C3%A9sil-jair-bolsonaro-d"
        "%C3%A9pose-un-recours-pour-contester-le-r%C3%A9sultat",
        "20221122",
    ),
    (
        "ouestfrance",
        "https://www.ouest-france.fr/high-tech/google/une-faille-de-securite-decouverte-sur"
        "-google-chrome-une-mise-a-jour-deployee-en-urgence-60bd8af8-dde6-11ed-8d9e-5db6de9e226d",
        None,
    ),
    (
        "ouestfrance",
        "https://www.ouest-france.fr/pays-de-la-loire/nantes-44000/nantes-le-robot-enseignant"
        "-debarque-la-rentree-6203134",
        None,
    ),
    (
        "lopinion",
        "https://www.lopinion.fr/edition/economie/glyphosate-radiographie-d-intoxication"
        "-collective-186859",
        None,
    ),
    ("legrandcontinent", "https://legrandcontinent.eu/fr/2020/03/02/francois-heran/", "20200302"),
    (
        "lefigaro",
        "http://www.lefigaro.fr/flash-actu/2011/08/17/97001-20110817FILWWW00263-gerard-depardieu"
        "-urine-dans-un-avion.php",
        "20110817",
    ),
    (
        "lopinion",
        "https://www.lopinion.fr/politique/pourquoi-les-partis-politiques-se-prennent-de-passion"
        "-pour-le-point-dexclamation",
        None,
    ),
    (
        "rfi",
        "https://www.rfi.fr/fr/afrique/20140112-togo-le-13-janvier-est-plus-jour-fete",
        "20140112",
    ),
    (
        "rfi",
        "https://www.rfi.fr/fr/afrique/20260803-nigeria-manifestation-violente-kaduna",
        "20260803",
    ),
    (
        "lepoint",
        "https://www.lepoint.fr/politique/alexis-kohler-l-homme-des-dossiers-sensibles-20-06-2019"
        "-2321615_20.php",
        None,
    ),
    (
        "lepoint",
        "http://www.lepoint.fr/politique/qui-profite-de-la-reserve-parlementaire-29-01-2014-1785755_20"
        ".php",
        None,
    ),
    (
        "lepoint",
        "https://www.lepoint.fr/politique/ca-peut-tanguer-le-ps-a-l-heure-du-choix-face-a-lecornu-ii"
        "-13-10-2025-2600831_20.php",
        None,
    ),
    ("lobs", "https://www.nouvelobs.com/politique/20220516.OBS58520/", "20220516"),
    (
        "lacroix",
        "https://www.la-croix.com/Monde/Covid-19-lOMS-appelle-monde-prudence-2020-06-20-1201100880",
        "20200620",
    ),
    (
        "regards",
        "http://www.regards.fr/politique/article/deux-ans-et-demi-en-macronie-9-mises-en-examen"
        "-10-enquetes-en-cours-et-2",
        None,
    ),
    (
        "regards",
        "http://www.regards.fr/politique/article/affaire-benalla-le-scandale-d-etat-qui-fait"
        "-chanceler-la-macronie",
        None,
    ),
    (
        "bondyblog",
        "https://www.bondyblog.fr/societe/a-paris-8-un-peu-de-tension-beaucoup-d-actions/",
        None,
    ),
    (
        "bondyblog",
        "https://www.bondyblog.fr/societe/education/un-an-a-latelier-sciences-po-de-delacroix"
        "-ep-5-eprouvante-oralite/",
        None,
    ),
    (
        "gala",
        "https://www.gala.fr/l_actu/news_de_stars/jean-paul-delevoye-monsieur-retraites-du"
        "-gouvernement-jacques-chirac-lui-donnait-un-surnom-peu-flatteur_439447",
        None,
    ),
    (
        "mediapart",
        "https://www.mediapart.fr/journal/france/080917/fn-sophie-montel-iconoclaste-mise-au-ban",
        None,
    ),
    (
        "leparisien",
        "https://www.leparisien.fr/environnement/leurope-sest-rechauffee-denviron-23-degres"
        "-depuis-la-periode-1850-1900-selon-lonu-19-06-2023-YRUHC2EOFJEDFEAZU7A2BO64JI.php",
        None,
    ),
]


@pytest.mark.parametrize(("name", "url", "day"), ARTICLES)
def test_a_real_article_url_is_an_article_of_its_site(name: str, url: str, day: str | None) -> None:
    site = sites.site_of(url)
    assert site is not None and site.name == name
    path = url.split("://", 1)[1].partition("/")[2]
    assert site.is_article_path("/" + path)
    assert site.day_of(url) == day


#: Pages of each site that are no articles: its home, rubriques, tags, authors, feeds.
NOT_ARTICLES = [
    ("lemonde", "/"),
    ("lemonde", "/politique/"),
    ("lemonde", "/emmanuel-macron/"),
    ("lemonde", "/signataires/bertrand-bissuel/"),
    ("lemonde", "/politique/rss_full.xml"),
    ("lemonde", "/en/politics/article/2023/08/30/a-title_6111111_5.html"),
    ("lefigaro", "/international"),
    ("lefigaro", "/economie/conjoncture"),
    ("lefigaro", "/tag/ukraine"),
    ("lefigaro", "/rss/figaro_actualites.xml"),
    ("lesechos", "/monde"),
    ("lesechos", "/monde/enjeux-internationaux"),
    ("euronews", "/green"),
    ("euronews", "/programs/ocean"),
    ("euronews", "/rss"),
    ("liberation", "/politique/"),
    ("liberation", "/international/europe/"),
    ("liberation", "/auteur/2005-afp"),
    ("vingtminutes", "/monde/"),
    ("vingtminutes", "/feeds/rss-une.xml"),
    ("franceinfo", "/monde/"),
    ("franceinfo", "/monde.rss"),
    ("rfi", "/fr/afrique/"),
    ("rfi", "/fr/rss"),
    ("rfi", "/en/africa/20240321-a-title"),
    ("france24", "/fr/europe/"),
    ("france24", "/fr/rss"),
    ("france24", "/en/20240321-a-title"),
    ("ouestfrance", "/pays-de-la-loire/nantes-44000/"),
    ("ouestfrance", "/rss-en-continu.xml"),
    ("lopinion", "/politique"),
    ("lopinion", "/edition/economie/"),
    ("legrandcontinent", "/fr/category/geopolitique/"),
    ("legrandcontinent", "/fr/feed/"),
    ("lepoint", "/politique/"),
    ("lobs", "/politique/"),
    ("mediapart", "/journal/france"),
    ("leparisien", "/politique/"),
    ("lacroix", "/Monde"),
    ("regards", "/politique/"),
    ("regards", "/auteur/loic-le-clerc"),
    ("regards", "/mot/emmanuel-macron"),
    ("bondyblog", "/societe/education/"),
    ("bondyblog", "/author/niang-kab/"),
    ("bondyblog", "/soutenez-nous/"),
    ("bondyblog", "/feed/"),
    ("gala", "/l_actu/news_de_stars"),
    ("gala", "/page/tag/gala-politique"),
]


@pytest.mark.parametrize(("name", "path"), NOT_ARTICLES)
def test_listings_tags_and_feeds_are_no_articles(name: str, path: str) -> None:
    assert not sites.named(name).is_article_path(path)


@pytest.mark.parametrize("site", FRENCH, ids=lambda s: s.name)
def test_discovery_paths_are_absolute_and_no_articles(site: Site) -> None:
    for path in (*site.sitemaps, *site.news_sitemaps, *site.feeds, *site.listings):
        assert path.startswith("/") and not path.startswith("//")
        assert not site.is_article_path(path.partition("?")[0])
    for path in site.listings:
        assert site.listing_path.match(path), path
    assert site.sitemaps or site.news_sitemaps or site.feeds or site.listings


@pytest.mark.parametrize("site", FRENCH, ids=lambda s: s.name)
def test_every_site_reads_paris_times_with_the_generic_page(site: Site) -> None:
    assert site.time_zone is not None and str(site.time_zone) == "Europe/Paris"
    assert site.page_class is GenericArticlePage
    assert site.language == "fr"
    assert all(pattern.pattern for pattern in site.strip_patterns)


@pytest.mark.parametrize("site", FRENCH, ids=lambda s: s.name)
def test_every_site_has_a_real_page_or_says_none_was_found(site: Site) -> None:
    cases = [case for case, record in CASES.items() if record["site"] == site.name]
    if cases:
        for case in cases:  # the note names where each of its pages comes from
            assert PurePosixPath(CASES[case]["page"]).stem in site.note
    else:
        assert "No real" in site.note


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fixture_url_maps_to_its_site(case: str) -> None:
    record = CASES[case]
    site = sites.site_of(record["url"])
    assert site is not None and site.name == record["site"]
    assert site.is_article_path("/" + record["url"].split("://", 1)[1].partition("/")[2])
    assert sites.page_class_of(record["url"]) is GenericArticlePage


@pytest.mark.parametrize("site", FRENCH, ids=lambda s: s.name)
def test_every_selector_compiles(site: Site) -> None:
    page = fromstring("<div><p>x</p></div>")
    for css in (*site.related_selectors, *site.strip_selectors):
        assert isinstance(select(page, css), list)  # cssselect raises on a malformed one


#: Notices of real pages that are not article text, each matched whole by its site's patterns.
NOTICES = [
    ("lemonde", "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés."),
    ("lemonde", "La suite est réservée à nos abonnés."),
    ("bondyblog", "Crédit photo : KB / Bondy Blog"),
    ("gala", "Crédits photos : Bestimage"),
]


@pytest.mark.parametrize(("name", "text"), NOTICES)
def test_a_notice_is_matched_whole(name: str, text: str) -> None:
    assert any(pattern.fullmatch(text) for pattern in sites.named(name).strip_patterns)


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_pattern_strips_a_real_paragraph(case: str) -> None:
    patterns = sites.named(CASES[case]["site"]).strip_patterns
    for field in ("lead_start", "body_first", "body_last"):
        text = CASES[case][field]
        assert text is None or not any(pattern.fullmatch(text) for pattern in patterns)
