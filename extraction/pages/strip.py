"""What is never article text on a French news page, whatever the site: the generic strip
rules of :class:`~extraction.pages.generic.GenericArticlePage`, kept together.

A site's own rules (:attr:`extraction.sites.Site.strip_selectors`, ``strip_patterns``,
``related_markers``) come on top of these. Selectors match class tokens or ids exactly
(``.paywall``, never ``[class*=pay]``), so an article container named ``share-article-body``
keeps its text; patterns match a whole paragraph, so an article that talks about newsletters
keeps its sentences.
"""

from __future__ import annotations

import re

#: Blocks a reader sees around the article but that are not it: share bars, newsletter and
#: subscription boxes, paywall notices, promos, comment forms, credits of teaser photos.
STRIP_SELECTORS = (
    # paywall notices and subscription calls
    ".paywall",
    ".article__status",
    ".article__paywall",
    ".fig-premium-paywall",
    ".fig-premium-mark",
    ".paywall-box",
    ".premium-banner",
    ".subscribe",
    ".subscription",
    ".abonnement",
    # share and social bars
    ".share",
    ".sharing",
    ".share-buttons",
    ".social",
    ".social-share",
    ".social-bar",
    ".social-buttons",
    ".article__share",
    ".meta__social",
    # newsletters
    ".newsletter",
    ".newsletter-box",
    ".newsletter-inline",
    ".article__newsletter",
    ".inread-newsletter",
    # promos, ads, outbrain-like recommendations
    ".ad",
    ".ads",
    ".advert",
    ".advertising",
    ".dfp-slot",
    ".promo",
    ".promotion",
    ".OUTBRAIN",
    ".taboola",
    ".outbrain",
    # related-article boxes the related finder may not know yet
    ".catcher",
    ".article__siblings",
    ".related",
    ".related-articles",
    ".related-posts",
    ".lire-aussi",
    ".read-also",
    ".read-more",
    ".fig-body-link",
    ".article-liee",
    # comments
    "#comments",
    ".comments",
    ".comment-respond",
    "#respond",
    # page furniture inside article containers
    "nav",
    "button",
    "figure figcaption",
)

#: Where a related block's marker starts a paragraph: "À lire aussi", "Lire aussi :",
#: "A LIRE ÉGALEMENT", "LIRE AUSSI SUR REGARDS.FR >>", "Voir aussi", "Sur le même sujet".
RELATED_MARKER = re.compile(
    r"^\s*(?:[»>›→-]\s*)?(?:(?:à|a)\s+)?(?:lire|voir|relire)\s+(?:aussi|également|egalement)\b"
    r"|^\s*(?:sur le même (?:sujet|thème)|dans la même rubrique|articles? liés?|"
    r"nos articles sur le sujet)\s*:?\s*$",
    re.IGNORECASE,
)

_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_MONTHS = (
    "janvier|janv|février|févr|fevrier|mars|avril|avr|mai|juin|juillet|juil|août|aout|"
    "septembre|sept|octobre|oct|novembre|nov|décembre|déc|decembre"
)

#: Paragraphs that are not article text, matched whole (case-insensitive): paywall notices,
#: subscription calls, newsletter and share invitations, photo credits of the page chrome.
STRIP_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"il vous reste \d+(?:[.,]\d+)?\s*% de (?:cet|l['’]) ?article à lire\b.*",
        r"la suite (?:de cet article )?est réservée (?:aux|à nos) abonnés\b.*",
        r"(?:cet|l['’]) ?article est réservé aux abonnés\b.*",
        r"(?:article |contenu )?réservé aux abonnés\.?",
        r"déjà abonné\s*\??\s*(?:se connecter|connectez-vous)?.*",
        r"abonnez-vous\b.{0,120}",
        r"(?:inscrivez-vous|abonnez-vous) (?:à|a) (?:notre|la) newsletter\b.*",
        r"recevez (?:gratuitement )?(?:notre|nos|la) newsletters?\b.*",
        r"(?:partager|partagez)(?: (?:cet|l['’]) ?article)?(?: sur)?\s*:?\s*"
        r"(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|copier le lien|\s|,)*",
        r"(?:publicité|advertisement)",
        r"suivez[- ]nous sur .{0,80}",
        r"votre navigateur ne (?:supporte|prend) pas .{0,120}",
        r"nous utilisons des cookies\b.{0,300}",
        # a breadcrumb: "Accueil > Actualités et humeurs > Le titre"
        r"(?:accueil|home)\s*[>›»/|].{0,300}",
        # a byline or credit line after the text: "Auteur : Kossivi Tiassou"
        r"(?:auteure?s?|[ée]dition)\s*:\s*.{1,80}",
        r"(?:crédits?\s+)?photos?\s*(?:\(cc\))?\s*[:©].{0,80}",
        # a dateline: "mercredi 11 septembre 2019", "Publié le 18 juil. 2024 à 08:01"
        rf"(?:(?:{_DAYS})\s+)?\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\.?\s+\d{{4}}"
        r"(?:\s+(?:à\s+)?\d{1,2}\s*[h:]\s*\d{2})?",
        # a label, not a sentence: "Article mis à jour le 7 janvier 2020." ending with its full
        # stop is the editor's note opening Regards' text, which stays
        r"(?:article\s+)?(?:publié|mis à jour|modifié|actualisé)\s+le\s+(?:[^.]|\.(?=.)){0,60}",
        # a rule or a bullet without words: "---", "* * *"
        r"[\W_]*",
    )
)

#: The start of a paywall notice (the first three :data:`STRIP_PATTERNS`), one expression: a
#: related block followed only by such a notice ends the free text, it is no inline block.
PAYWALL_START = re.compile(
    r"il vous reste \d|la suite (?:de cet article )?est réservée"
    r"|(?:cet|l['’]) ?article est réservé",
    re.IGNORECASE,
)

#: Standfirsts (chapeau) of French news layouts, as class tokens: taken as the lead, never
#: part of the body. Le Monde, Le Figaro, Euronews, Gala, L'Opinion, La Vie des idées...
LEAD_SELECTORS = (
    ".article__desc",
    ".fig-standfirst",
    ".c-article-summary",
    ".article__standfirst",
    ".standfirst",
    ".article-standfirst",
    ".chapo",
    ".chapeau",
    ".article-chapo",
    ".article__chapo",
    ".article__chapeau",
    ".accroche",
    ".articleContent-lead",
    ".article__lead",
    ".article-lead",
    ".post-excerpt",
    "[itemprop~='description']",
)
#: Class tokens many layouts give a standfirst but also other blocks: a lead only where the
#: page has exactly one.
WEAK_LEAD_SELECTORS = (".intro", ".lead", ".excerpt", ".summary", ".description")
