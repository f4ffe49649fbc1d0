"""The related-block finder against the corpus's 18 French pages and their annotations.

The annotations (``expected.json``: ``related``, ``related_blocks``, ``related_placement``)
cover only blocks introduced by "Lire aussi", "À lire aussi" or "Lire également" (also
"LIRE AUSSI SUR …"): what is scored here is the links of the blocks whose marker is of that
family; the other blocks the finder sees are checked on samples read from the pages.

Kinds: an annotated block's ``kind`` (inline / following / module) says how its marker
stands to its links (in the same paragraph, before them, over cards), not where the block
sits: Le Monde's in-body "catcher" box is "following". Our kinds say where it sits, as
``related_placement`` does ("in-body", "end-of-article module"), so the expected kind of each
link is read from the placement, block by block.
"""

from __future__ import annotations

from typing import Any

import pytest

from extraction.items import LINK_END, LINK_INLINE, LINK_MODULE
from extraction.pages.base import ArticlePage
from extraction.pages.related import RelatedBlock, is_read_also, related_blocks, related_links
from tests.corpus import CASES, REFERENCE, html, url

#: What a ``related_placement`` part says of the kind of a block's links.
PLACEMENT_KINDS = {
    "in-body": LINK_INLINE,
    "end-of-article module": LINK_MODULE,
    "end-of-article list": LINK_END,
}
FLOOR = 0.95


def blocks(case: str) -> list[RelatedBlock]:
    return related_blocks(ArticlePage(url(case), html(case)))


def scored(case: str) -> list[RelatedBlock]:
    """The blocks in the annotated scope: introduced by a "Lire aussi" marker."""
    return [block for block in blocks(case) if is_read_also(block.marker)]


def expected_kinds(record: dict[str, Any]) -> list[str]:
    """The kind of each annotated link, from the placement of its block."""
    annotated = record["related_blocks"]
    parts = str(record["related_placement"]).split(" + ")
    if len(parts) != len(annotated):
        parts = parts[:1] * len(annotated)
    return [
        PLACEMENT_KINDS[part]
        for part, block in zip(parts, annotated, strict=True)
        for _ in range(block["n_links"])
    ]


def spaced(text: str) -> str:
    """``text`` with every whitespace run one plain space: the annotations write a plain
    space where the page (and our titles) keep a no-break space."""
    return " ".join(text.split())


def counts() -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over every page."""
    tp = fp = fn = 0
    for case in CASES:
        found = {link.url for block in scored(case) for link in block.links}
        expected = {link["href"] for link in REFERENCE[case]["related"]}
        tp, fp, fn = (
            tp + len(found & expected),
            fp + len(found - expected),
            fn + len(expected - found),
        )
    return tp, fp, fn


def test_precision_and_recall_on_the_annotated_scope(capsys: pytest.CaptureFixture[str]) -> None:
    tp, fp, fn = counts()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    with capsys.disabled():
        print(
            f"\nrelated links, 'Lire aussi' scope: TP={tp} FP={fp} FN={fn} "
            f"precision={precision:.3f} recall={recall:.3f}"
        )
    assert tp >= 15  # the corpus annotates 15 links: scoring nothing must not pass
    assert precision >= FLOOR
    assert recall >= FLOOR


def test_the_bench_prints_the_same_figures(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import related_links as bench

    bench.main([])
    lines = capsys.readouterr().out.splitlines()
    (total,) = [line for line in lines if line.startswith("overall")]
    tp, fp, fn, precision, recall, _f1 = total.split()[1:]
    assert (int(tp), int(fp), int(fn)) == counts()
    assert float(precision) >= FLOOR and float(recall) >= FLOOR
    assert sorted(line.split(" ")[0] for line in lines if line.split(" ")[0] in CASES) == CASES


@pytest.mark.parametrize("case", CASES)
def test_annotated_links_in_order(case: str) -> None:
    record = REFERENCE[case]
    found = [link for block in scored(case) for link in block.links]
    assert [link.url for link in found] == [link["href"] for link in record["related"]]


@pytest.mark.parametrize("case", [c for c in CASES if REFERENCE[c]["related"]])
def test_anchor_text(case: str) -> None:
    found = [spaced(link.title) for block in scored(case) for link in block.links]
    expected = [spaced(link.get("title") or link["anchor"]) for link in REFERENCE[case]["related"]]
    assert found == expected


@pytest.mark.parametrize("case", [c for c in CASES if REFERENCE[c]["related"]])
def test_blocks_and_kinds(case: str) -> None:
    record = REFERENCE[case]
    found = scored(case)
    assert [len(block.links) for block in found] == [b["n_links"] for b in record["related_blocks"]]
    assert [link.kind for block in found for link in block.links] == expected_kinds(record)
    assert all(link.kind == block.kind for block in found for link in block.links)


@pytest.mark.parametrize("case", CASES)
def test_related_links_are_the_blocks_links_once_each(case: str) -> None:
    found = blocks(case)
    links = related_links(found)
    assert [link.position for link in links] == list(range(len(links)))
    assert len({link.url for link in links}) == len(links)
    assert {link.url for block in found for link in block.links} == {link.url for link in links}
    page = ArticlePage(url(case), html(case))
    assert not any(page.same_page(link.url) for link in links)


# --- what the finder sees beyond the annotations, checked against the pages ----------------


def others(case: str) -> list[RelatedBlock]:
    return [block for block in blocks(case) if not is_read_also(block.marker)]


def test_visually_hidden_labels_count_as_the_annotators_count_them() -> None:
    # Le Monde's "Lire aussi :" has class catcher__title--hide; Le Figaro's end module's
    # label has fig-pagination__hidden (so does its h1): both annotated.
    assert [b.marker for b in scored("fundus_fr_LeMonde_2023_09_01")] == ["Lire aussi :"]
    figaro = scored("fundus_fr_LeFigaro_2024_11_22")
    assert [(b.marker, b.kind) for b in figaro] == [
        ("À lire aussi", LINK_INLINE),
        ("À lire aussi", LINK_MODULE),
    ]


def test_a_label_in_a_css_variable_is_no_marker() -> None:
    # Euronews 2026: "Lire aussi" only in style="--widget_related_list_trans: 'Lire aussi'"
    assert scored("fundus_fr_EuronewsFR_2026_01_06") == []


def test_euronews_related_widgets_found_by_class() -> None:
    # two in-body widget--type-related lists, two articles each, no label in the HTML
    found = others("fundus_fr_EuronewsFR_2024_04_30")
    assert [(b.source, b.kind, b.marker, len(b.links)) for b in found] == [
        ("class", LINK_INLINE, None, 2),
        ("class", LINK_INLINE, None, 2),
    ]
    assert all(link.url.startswith("https://fr.euronews.com/") for b in found for link in b.links)
    assert found[0].links[0].title == (
        "Les requins d'Europe : des espèces non pas dangereuses, mais en danger"
    )


def test_other_labels_give_modules_of_the_sites_own_articles() -> None:
    for case, marker, host, n in [
        ("fundus_fr_LeFigaro_2024_11_22", "Sur le même thème", "https://www.lefigaro.fr/", 10),
        ("traf_gala.fr.surnom", "Sur le même thème", "https://www.gala.fr/", 5),
        ("traf_infocomcgt.fr.caisse", "Sur le même thème", "https://www.infocomcgt.fr/", 4),
        ("traf_bondyblog.fr.paris-8", "Articles liés", "https://www.bondyblog.fr/", 3),
    ]:
        found = [b for b in others(case) if b.marker == marker]
        assert len(found) == 1, case
        assert found[0].kind == LINK_MODULE, case
        assert len(found[0].links) == n, case
        assert all(link.url.startswith(host) and link.title for link in found[0].links), case


#: Every block outside the annotated scope, per page: (marker or how it was found, kind,
#: number of links). Each was checked by reading the page: all are lists of the site's own
#: articles, except Le Figaro's "À découvrir" (its podcast; the app-store link of the same
#: box is left out) and La Vie des idées' "Aller plus loin" (a conference programme).
OTHER_BLOCKS = {
    "fundus_fr_EuronewsFR_2024_04_30": [("class", LINK_INLINE, 2), ("class", LINK_INLINE, 2)],
    "fundus_fr_EuronewsFR_2026_01_06": [("À découvrir également", LINK_MODULE, 3)],
    "fundus_fr_LeFigaro_2024_11_22": [
        ("À découvrir", LINK_INLINE, 1),
        ("Sur le même thème", LINK_MODULE, 10),
    ],
    "traf_bondyblog.fr.paris-8": [("Articles liés", LINK_MODULE, 3)],
    "traf_gala.fr.surnom": [("Sur le même thème", LINK_MODULE, 5)],
    "traf_infocomcgt.fr.caisse": [("Sur le même thème", LINK_MODULE, 4)],
    "traf_laviedesidees.fr.evaluation": [("Aller plus loin", LINK_INLINE, 1)],
    "traf_legrandcontinent.eu.heran": [("Pour approfondir", LINK_MODULE, 4)],
    "traf_sauvonsluniversite.com.spip": [("Dans la même rubrique", LINK_END, 9)],
}


@pytest.mark.parametrize("case", CASES)
def test_other_blocks(case: str) -> None:
    found = [(b.marker or b.source, b.kind, len(b.links)) for b in others(case)]
    assert found == OTHER_BLOCKS.get(case, [])


def test_embedded_json_of_other_articles_is_not_this_pages() -> None:
    # Les Échos: relatedArticles belong to the articles the page lists, not to the page;
    # Euronews 2026: relatedIds are bare ids, with no URL anywhere in the page.
    for case in ("fundus_fr_LesEchos_2024_07_18", "fundus_fr_EuronewsFR_2026_01_06"):
        assert [b for b in blocks(case) if b.source == "json"] == [], case


def test_lire_alone_is_no_marker() -> None:
    # readability_lemonde-1 has "<strong>Lire : <a>...</a></strong>" after the annotated box
    found = [link.url for block in blocks("readability_lemonde-1") for link in block.links]
    assert found == [REFERENCE["readability_lemonde-1"]["related"][0]["href"]]
