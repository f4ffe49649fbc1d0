"""Word lists and sentence templates of La Gazette du Val, a fictitious regional daily.

Templates use ``{slot}`` for a value drawn from the pools below and ``{^slot}`` for the same
value with its first letter upper-cased; ``{ville}``, ``{sujet}``, ``{personne}`` and
``{role}`` are fixed for a whole article (its story), any other slot is drawn anew.
Straight apostrophes and plain spaces before ``: ; ! ?`` become French typography afterwards
(``mocksite.text.typo``). Places, people and institutions are invented.
"""

from __future__ import annotations

SITE_NAME = "La Gazette du Val"
PUBLISHER_LOGO = "/static/img/logo-gazette-du-val.png"

#: (slug, display name), in the order of the site navigation.
RUBRIQUES: tuple[tuple[str, str], ...] = (
    ("region", "Région"),
    ("politique", "Politique"),
    ("economie", "Économie"),
    ("faits-divers", "Faits divers"),
    ("culture", "Culture"),
    ("sports", "Sports"),
)

TOWNS: tuple[str, ...] = (
    "Saint-Aubin-du-Val",
    "Montferrand-sur-Loue",
    "Aulnay-sur-Loue",
    "Beaulieu-la-Rivière",
    "Chantemerle",
    "Vernois-le-Haut",
    "Pont-de-Sauge",
    "Villiers-aux-Chênes",
    "La Roche-Aymon",
    "Sainte-Colombe-des-Prés",
    "Marvaux",
    "Bourg-Neuf",
    "Cerisay",
    "Fontenelle-sur-Val",
    "Arbois-le-Petit",
    "Mézières-en-Val",
)

#: (name, role): the people a story quotes.
PEOPLE: tuple[tuple[str, str], ...] = (
    ("Hélène Marchetti", "maire de la commune"),
    ("Jean-Baptiste Roussel", "président de l'agglomération"),
    ("Nadia Benchekroun", "adjointe chargée des travaux"),
    ("Pierre-Yves Lagarde", "conseiller départemental"),
    ("Claire Vautrin", "directrice de l'office de tourisme"),
    ("Mathieu Delorme", "entraîneur du club"),
    ("Sophie Carrel", "porte-parole de l'association des riverains"),
    ("Antoine Brisset", "commandant de la compagnie de gendarmerie"),
    ("Fatou Diallo", "présidente de la chambre de commerce"),
    ("Gérard Poulain", "agriculteur installé depuis trente ans"),
    ("Émilie Fournier", "procureure de la République"),
    ("Lucas Mercier", "délégué syndical"),
    ("Isabelle Thévenin", "directrice du festival"),
    ("Karim Haddad", "chef d'entreprise"),
    ("Odile Perrot", "préfète du département"),
    ("Thomas Girardin", "capitaine de l'équipe"),
)

INSTITUTIONS: tuple[str, ...] = (
    "le conseil municipal",
    "la communauté d'agglomération du Val",
    "le conseil départemental",
    "la préfecture",
    "la chambre d'agriculture",
    "le syndicat des eaux",
    "la région",
    "l'hôpital intercommunal",
    "le tribunal judiciaire",
    "la caisse d'allocations familiales",
)

#: per rubrique: what a story is about (a noun phrase with its article)
SUBJECTS: dict[str, tuple[str, ...]] = {
    "region": (
        "la rénovation du pont de la Loue",
        "la fermeture de la ligne de bus 12",
        "le nouveau plan de circulation du centre-ville",
        "la réouverture de la piscine intercommunale",
        "le projet de parc éolien sur le plateau",
        "la pénurie de médecins généralistes",
        "l'extension de la zone piétonne",
        "la sécheresse qui menace les captages d'eau",
    ),
    "politique": (
        "le budget primitif de la commune",
        "la fusion des deux communautés de communes",
        "la hausse de la taxe foncière",
        "le futur plan local d'urbanisme",
        "la démission de deux adjoints",
        "la révision des listes électorales",
        "le projet de maison de santé",
    ),
    "economie": (
        "la reprise de la fromagerie coopérative",
        "l'implantation d'un entrepôt logistique",
        "la fermeture de l'usine de roulements",
        "le marché de Noël et ses retombées",
        "la hausse du prix du lait",
        "la création d'une pépinière d'entreprises",
        "les difficultés de recrutement dans l'hôtellerie",
    ),
    "faits-divers": (
        "l'incendie d'un entrepôt agricole",
        "la série de cambriolages dans les lotissements",
        "l'accident survenu sur la départementale 47",
        "la disparition inquiétante d'un randonneur",
        "le vol de matériel sur le chantier de l'école",
        "la crue soudaine de la rivière",
    ),
    "culture": (
        "le festival des Nuits du Val",
        "la restauration des vitraux de l'église Saint-Martin",
        "l'exposition consacrée aux peintres du Val",
        "la saison du théâtre municipal",
        "la fête de la musique",
        "la nouvelle médiathèque",
    ),
    "sports": (
        "la montée du club de football en Régionale 1",
        "le semi-marathon du Val",
        "le tournoi de handball des jeunes",
        "la saison du club de rugby",
        "le tour cycliste du département",
        "la rénovation du stade municipal",
    ),
}

TITLES: tuple[str, ...] = (
    "{ville} : {sujet} divise les habitants",
    "À {ville}, {sujet} se précise",
    "{^sujet} : ce qui va changer à {ville}",
    "{ville} : {personne} défend {sujet}",
    "{^sujet} à {ville} : les réponses à vos questions",
    "À {ville}, {sujet} prend du retard",
    "{ville} : {sujet}, un dossier qui fâche",
    "{^sujet} : {ville} attend des réponses",
    "{ville} : ce que l'on sait sur {sujet}",
    "{^sujet} : {personne} sort du silence",
)

LEADS: tuple[str, ...] = (
    "À {ville}, {sujet} occupe les esprits depuis {duree}. {^personne}, {role}, promet des"
    " annonces {quand}.",
    "{^sujet} était au cœur des discussions {quand} à {ville}, où {institution} a présenté"
    " un premier bilan.",
    "Attendu depuis {duree}, {sujet} franchit une nouvelle étape à {ville}. Les riverains"
    " restent partagés.",
    "{^personne}, {role}, a détaillé {quand} le calendrier de {sujet}, un dossier suivi de"
    " près à {ville}.",
)

SENTENCES: tuple[str, ...] = (
    "« Nous avons besoin de clarté », estime {personne}, {role}.",
    "{^institution} doit se prononcer {quand} sur le dossier.",
    "Le coût total est estimé à {n} euros, selon les services de {institution}.",
    "Près de {n} personnes ont signé la pétition lancée {quand}.",
    "À {ville2}, la même question s'était posée il y a {duree}.",
    "Les travaux devraient durer {duree}, précise-t-on en mairie.",
    "Une réunion publique est prévue {quand} à la salle des fêtes de {ville}.",
    "Pour {personne}, « rien n'est encore joué ».",
    "La hausse atteint {pct} sur un an, d'après les chiffres de {institution}.",
    "Les commerçants du centre-ville redoutent {consequence}.",
    "Une partie des élus réclame {demande}.",
    "{^institution} a déjà débloqué une enveloppe de {n} euros.",
    "Les habitants de {ville2} suivent le dossier avec attention.",
    "« C'est une question de confiance », insiste {personne}.",
    "Selon nos informations, {institution} aurait reçu {n_petit} offres.",
    "Le calendrier prévoit une mise en service {quand}.",
    "Certains riverains dénoncent {consequence}.",
    "L'opposition municipale parle d'« un dossier mal ficelé ».",
    "Les premières conclusions sont attendues d'ici {duree}.",
    "Un collectif de {n_petit} associations a écrit à {institution}.",
    "La question du stationnement reste entière, reconnaît {personne}.",
    "Une consultation en ligne est ouverte jusqu'à la fin du mois.",
    "Le sujet sera de nouveau abordé {quand}, lors du prochain conseil.",
    "Les chiffres varient de {pct} selon les sources.",
    "À titre de comparaison, {ville2} avait consacré {n} euros à un projet voisin.",
    "« Nous irons jusqu'au bout », prévient {personne}.",
    "{^personne} rappelle que {institution} a toujours soutenu le projet.",
    "Les délais annoncés ont déjà glissé de {duree}.",
)

#: one more sentence for a corrected article (evolution): never a template's words
CORRECTIONS: tuple[str, ...] = (
    "Précision apportée après publication : le montant a été confirmé par {institution}.",
    "Mise à jour : {institution} a confirmé la date de la prochaine réunion.",
    "Rectificatif : la réunion publique aura lieu à {ville2}, et non à {ville}.",
)

SHARED: dict[str, tuple[str, ...]] = {
    "quand": (
        "lundi",
        "mardi soir",
        "mercredi",
        "jeudi matin",
        "vendredi",
        "samedi",
        "en début de semaine",
        "à la rentrée",
        "avant l'été",
        "d'ici la fin de l'année",
    ),
    "duree": ("six mois", "deux ans", "plusieurs semaines", "dix-huit mois", "trois ans"),
    "consequence": (
        "une baisse de fréquentation",
        "des nuisances pendant les travaux",
        "une hausse des loyers",
        "la disparition des places de stationnement",
        "un allongement des temps de trajet",
    ),
    "demande": (
        "un moratoire",
        "une étude indépendante",
        "un référendum local",
        "davantage de concertation",
        "un calendrier précis",
    ),
}

#: (tag slug, tag name) pools; an article has its rubrique's tag first
TAGS: tuple[str, ...] = (
    "Val de Loue",
    "Conseil municipal",
    "Transports",
    "Environnement",
    "Santé",
    "Emploi",
    "Agriculture",
    "Urbanisme",
    "Sécurité",
    "Patrimoine",
    "Jeunesse",
    "Intercommunalité",
    "Budget",
    "Eau",
    "Associations",
)

AUTHORS: tuple[str, ...] = (
    "Marion Lefèvre",
    "Julien Thomassin",
    "Aurélie Besson",
    "Nicolas Chapuis",
    "Camille Rigaud",
    "Yann Le Goff",
    "Sarah Benali",
    "Vincent Morel",
)

CREDITS: tuple[str, ...] = (
    "Marion Lefèvre / La Gazette du Val",
    "Photo Julien Thomassin",
    "ARCHIVES LA GAZETTE",
    "JEAN-MARC DUPUIS / AFP",
    "Photo d'illustration Pixabay",
)

CAPTIONS: tuple[str, ...] = (
    "Le centre-ville de {ville}, {quand}.",
    "{^personne}, {role}, lors de la réunion publique.",
    "Vue du site concerné par {sujet}, à {ville}.",
    "Des riverains rassemblés devant la mairie de {ville}.",
)

#: "À lire aussi" markers of inline boxes, varied as on real pages
INLINE_MARKERS: tuple[str, ...] = ("À lire aussi :", "LIRE AUSSI", "Lire également", "Lire aussi :")

PAYWALL_NOTICE = "Il vous reste {pct}% de cet article à lire. La suite est réservée aux abonnés."
