"""Hostile routes the replica serves when asked to (``hostile=True``): what a cron crawler meets.

Every route is deterministic, on the site's own host, and linked from a block on the home
page. Article-shaped routes use the legacy article URL shape
``/{rubrique}/20170621{id}-{slug}/`` with ids from HOSTILE_ID up (the site's own ids stay
below 1.1e9), so the site decodes them by id like its own articles.

``ROUTES`` is the ground truth: each route's kind, path and ``expected``, the fetch outcome a
correct crawler records for it (new, http_error, error, not_article, unreadable, discovery):
``unreadable`` for an HTML page under an article URL with no article in it, whose raw
response the crawler keeps, ``not_article`` for a page that is not HTML. Bodies that
are not article pages (PDF, JPEG, captcha page, gzip bomb, huge page) are built here; the
server applies the behaviours (counted failures, delays, hangs, truncation, streaming).
"""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

HOSTILE_ID = 1_999_000_000
DATE = "20170621"

RETRY_AFTER = "1"  # seconds, on 429 and 503
SLOW_SECONDS = 2.0
HANG_SECONDS = 60.0
TRUNCATED_LENGTH = 20_000  # announced Content-Length
TRUNCATED_SENT = 3_000  # bytes actually sent before the connection closes
BOMB_SIZE = 100 * 1024 * 1024  # inflated size of the gzip bomb (spaces)
HUGE_SIZE = 40 * 1024 * 1024

#: Titles of the articles some routes serve (script_title's is the attack itself).
SCRIPT_TITLE = '<script>alert("x")</script> Les frappes\'; DROP TABLE articles;--'
SCRIPT_PARAGRAPH = (
    'Le texte cité contenait <script>alert("x")</script> et <img src=x onerror=alert(1)>,'
    " puis « Robert'); DROP TABLE articles;-- », recopiés tels quels & sans filtre."
)


@dataclass(frozen=True)
class Route:
    kind: str
    path: str
    expected: str
    label: str  # link text on the home page
    note: str
    article_id: int | None = None  # article-shaped routes


@dataclass(frozen=True)
class Failure:
    """A route's first ``count`` requests fail with ``status`` (then it serves its article)."""

    status: int
    count: int
    retry_after: bool


#: Counted failures (per path, reset by ``RunningSite.reset_faults()``).
FAILURES: dict[str, Failure] = {
    "rate_limited": Failure(429, 2, True),
    "unavailable": Failure(503, 2, True),
    "server_error_burst": Failure(500, 3, False),
}

#: Kinds whose page is (or eventually is) a normal article page.
ARTICLE_KINDS = (
    "rate_limited",
    "unavailable",
    "server_error_burst",
    "slow",
    "hang_after_headers",
    "truncated",
    "script_title",
    "private_links",
    "private_leak",
)

# kind, rubrique, slug, expected, label, note
_ARTICLE_ROUTES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "rate_limited",
        "international",
        "limitation-de-debit",
        "new",
        "Limitation de débit",
        "429 with Retry-After: 1 for the first 2 requests, then the article",
    ),
    (
        "unavailable",
        "france",
        "service-indisponible",
        "new",
        "Service indisponible",
        "503 with Retry-After: 1 for the first 2 requests, then the article",
    ),
    (
        "server_error_burst",
        "economie",
        "erreurs-passageres",
        "new",
        "Erreurs passagères",
        "500 for the first 3 requests, then the article: archived on the 4th attempt"
        " (3 retries); a crawler with fewer retries records http_error and gets it next run",
    ),
    (
        "always_500",
        "societe",
        "erreur-permanente",
        "http_error",
        "Erreur permanente",
        "500 on every request: an HTTP error, never gone",
    ),
    (
        "slow",
        "sports",
        "reponse-lente",
        "new",
        "Réponse lente",
        f"the article after {SLOW_SECONDS:g} s",
    ),
    (
        "hang_after_headers",
        "sciences",
        "reponse-suspendue",
        "error",
        "Réponse suspendue",
        "200 headers with Content-Length, then no body until the client hangs up"
        f" (or {HANG_SECONDS:g} s): a timeout",
    ),
    (
        "truncated",
        "defense",
        "corps-tronque",
        "error",
        "Corps tronqué",
        f"Content-Length: {TRUNCATED_LENGTH}, then the first {TRUNCATED_SENT} bytes of an"
        " article and the connection closes",
    ),
    (
        "redirect_loop",
        "afrique",
        "boucle-a",
        "error",
        "Boucle de redirections",
        "301 to the loop's other URL, which 301s back: a redirect loop",
    ),
    (
        "redirect_loop_b",
        "afrique",
        "boucle-b",
        "error",
        "",
        "the other URL of redirect_loop",
    ),
    (
        "gzip_bomb",
        "international",
        "bombe-gzip",
        "error",
        "Bombe gzip",
        "Content-Encoding: gzip, about 100 KB that inflate to 100 MiB of spaces: over the"
        " 32 MiB cap",
    ),
    (
        "huge_page",
        "france",
        "page-geante",
        "error",
        "Page géante",
        "200 text/html of 40 MiB (Content-Length set): over the 32 MiB cap",
    ),
    (
        "pdf_as_article",
        "economie",
        "document-pdf",
        "not_article",
        "Document PDF",
        "200 application/pdf (%PDF-1.4) under an article URL",
    ),
    (
        "image_as_article",
        "societe",
        "image-jpeg",
        "not_article",
        "Image JPEG",
        "200 image/jpeg under an article URL",
    ),
    (
        "empty_200",
        "sports",
        "page-vide",
        "unreadable",
        "Page vide",
        "200 text/html with an empty body",
    ),
    (
        "block_page",
        "sciences",
        "verification-robot",
        "unreadable",
        "Vérification anti-robot",
        "200 captcha page (Access denied): a title, no article",
    ),
    (
        "script_title",
        "defense",
        "titre-script",
        "new",
        "Titre piégé",
        "a normal article whose title and body hold markup and SQL, HTML-escaped: the"
        " parsed title is that literal string",
    ),
    (
        "private_links",
        "afrique",
        "liens-prives",
        "new",
        "Liens privés",
        "a normal article whose 'Lire aussi' links lead to private, loopback and link-local"
        " addresses and to other schemes: each refused, never fetched",
    ),
    (
        "private_leak",
        "international",
        "fuite-boucle-locale",
        "new",
        "",
        "an article reached only through http://localhost:PORT/ from private_links: never"
        " to be fetched",
    ),
)

CALENDAR_START = (2017, 6)
TRAP_PATH = "/trap/"
_CALENDAR = re.compile(r"/calendar/(\d{4,12})/(\d{2})/")
_LEGACY = re.compile(r"/([a-z_]+)/(\d{8})(\d{1,12})-([a-z0-9-]*)/?")


def _article_routes() -> tuple[Route, ...]:
    return tuple(
        Route(kind, f"/{rubrique}/{DATE}{article_id}-{slug}/", expected, label, note, article_id)
        for article_id, (kind, rubrique, slug, expected, label, note) in enumerate(
            _ARTICLE_ROUTES, HOSTILE_ID
        )
    )


ARTICLE_ROUTES = _article_routes()
_BY_ID = {route.article_id: route for route in ARTICLE_ROUTES}
BY_KIND = {route.kind: route for route in ARTICLE_ROUTES}
#: Routes that are not linked from the home page, only from another route.
INTERNAL = frozenset({"redirect_loop_b", "private_leak"})

ROUTES: tuple[Route, ...] = (
    *(r for r in ARTICLE_ROUTES if r.kind not in INTERNAL),
    Route(
        "calendar_trap",
        f"/calendar/{CALENDAR_START[0]}/{CALENDAR_START[1]:02d}/",
        "discovery",
        "Calendrier des archives",
        "/calendar/YYYY/MM/ pages, each linking the previous and next month forever and no"
        " article: listings only; a correct crawl ends after finitely many (or none)",
    ),
    Route(
        "pagination_trap",
        TRAP_PATH,
        "discovery",
        "Archives",
        "a rubrique-like listing /trap/?page=N whose rel=next never ends and which lists no"
        " article: listings only; a correct crawl ends after finitely many",
    ),
)


def private_links(port: int | None) -> tuple[tuple[str, str], ...]:
    """(href, title) of the 'Lire aussi' links of private_links, none of them to fetch."""
    localhost = f"http://localhost:{port}" if port else "http://localhost"
    return (
        ("http://10.0.0.1/x", "Un réseau privé en 10.0.0.0/8"),
        ("http://192.168.1.1/", "La page d’administration du routeur"),
        ("http://169.254.169.254/latest/meta-data/", "Les métadonnées de l’instance"),
        ("http://[::1]/", "La boucle locale en IPv6"),
        (localhost + BY_KIND["private_leak"].path, "Une fuite par la boucle locale"),
        ("file:///etc/passwd", "Le fichier des mots de passe"),
        ("javascript:alert(1)", "Un lien qui exécute du code"),
        ("data:text/html,x", "Une page en ligne de données"),
    )


def article_route(path: str) -> Route | None:
    """The article-shaped route whose id this path carries (slug and rubrique unchecked)."""
    match = _LEGACY.fullmatch(path)
    if not match:
        return None
    return _BY_ID.get(int(match.group(3)))


def calendar_month(path: str) -> tuple[int, int] | None:
    """(year, month) of a calendar page path in its one canonical spelling, else None."""
    match = _CALENDAR.fullmatch(path)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1 or match.group(1) != f"{year:04d}":
        return None
    return year, month


def calendar_path(year: int, month: int) -> str:
    return f"/calendar/{year:04d}/{month:02d}/"


def trap_page(value: str | None) -> int | None:
    """The page number of /trap/?page=N (N written without leading zeros), else None."""
    if value is None:
        return 1
    if not value.isdigit() or len(value) > 18 or value != str(int(value)) or value == "0":
        return None
    return int(value)


class Counters:
    """Requests so far to each path with counted failures: thread-safe, a few entries."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def next(self, path: str) -> int:
        """Count one more request to ``path``; returns how many there have been (1 first)."""
        with self._lock:
            count = self._counts.get(path, 0) + 1
            self._counts[path] = count
            return count

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


# ---- bodies ----------------------------------------------------------------------------

_bomb: bytes | None = None
_bomb_lock = threading.Lock()


def gzip_bomb() -> bytes:
    """A gzip member inflating to BOMB_SIZE spaces (~100 KB), compressed once then cached."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip wrapper
            chunk = b" " * (1 << 20)
            parts = [compressor.compress(chunk) for _ in range(BOMB_SIZE // len(chunk))]
            parts.append(compressor.flush())
            _bomb = b"".join(parts)
        return _bomb


_HUGE_HEAD = (
    '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
    "<title>Page géante - Sputnik France</title>\n</head>\n<body>\n"
    "<h1>Page géante</h1>\n"
).encode()
_HUGE_UNIT = (
    "<p>Ce paragraphe se répète jusqu’à ce que la page pèse quarante mégaoctets.</p>\n"
).encode()
_HUGE_TAIL = b"</body>\n</html>\n"


def huge_chunks(size: int = HUGE_SIZE) -> Iterator[bytes]:
    """The huge page, ``size`` bytes exactly, in chunks of about 100 KB."""
    middle = size - len(_HUGE_HEAD) - len(_HUGE_TAIL)
    units, rest = divmod(middle, len(_HUGE_UNIT))
    yield _HUGE_HEAD
    batch = 1024
    for _ in range(units // batch):
        yield _HUGE_UNIT * batch
    yield _HUGE_UNIT * (units % batch) + b" " * rest + _HUGE_TAIL


def _pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (Communique de presse) Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _jpeg() -> bytes:
    """A valid baseline JPEG: 8x8 pixels of mid grey (one block, every coefficient zero)."""
    return b"".join(
        (
            b"\xff\xd8",  # SOI
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, b"Sputnik France"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),  # quantisation table 0: all ones
            _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),  # 8x8, one component
            # Huffman tables: DC 0 and AC 0, each one code "0" (DC: size 0; AC: end of block)
            _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),
            _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # SOS
            b"\x3f",  # DC "0", EOB "0", padded with ones
            b"\xff\xd9",  # EOI
        )
    )


PDF = _pdf()
JPEG = _jpeg()

BLOCK_PAGE = (
    "<!DOCTYPE html>\n"
    '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="robots" content="noindex, nofollow">\n'
    "<title>Access denied</title>\n</head>\n"
    '<body class="captcha">\n<div class="captcha__box">\n'
    "<h1>Access denied</h1>\n"
    "<p>Vérification que vous n'êtes pas un robot…</p>\n"
    "<p>Veuillez patienter pendant que nous vérifions votre navigateur.</p>\n"
    '<form class="captcha__form" action="#" method="post"><label><input type="checkbox"'
    ' name="human"> Je ne suis pas un robot</label> <button type="submit">Continuer</button>'
    "</form>\n"
    '<p class="captcha__ref">Référence\xa0: 5f3a9c1e-sputnik</p>\n'
    "</div>\n</body>\n</html>\n"
)

FAILURE_PAGES = {
    429: ("Trop de requêtes", "Trop de requêtes. Réessayez dans un instant."),
    500: ("Erreur interne", "Le serveur a rencontré une erreur interne."),
    503: ("Service indisponible", "Le service est momentanément indisponible."),
}


def failure_page(status: int) -> bytes:
    title, text = FAILURE_PAGES[status]
    return (
        f'<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n"
        "</body>\n</html>\n"
    ).encode()
