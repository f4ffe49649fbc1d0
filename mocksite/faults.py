"""Bad text the replica serves when asked to (``faults=True``): charsets, mojibake, boilerplate.

Each faulted article has one fault, drawn from a hash of (seed, index): 2% of the articles
for each kind (never the seed article, its related articles nor planted originals).

- ``cp1252_declared_utf8``: windows-1252 bytes, while the header and <meta> say UTF-8;
- ``utf8_declared_latin1``: UTF-8 bytes, while the header and <meta> say ISO-8859-1 or
  windows-1252;
- ``no_charset``: windows-1252 bytes and no charset anywhere (header nor <meta>);
- ``mojibake``: correctly declared UTF-8, but the body paragraphs were double-encoded once
  (UTF-8 bytes read as windows-1252: "sécurité" -> "sÃ©curitÃ©");
- ``boilerplate``: two paragraphs of site boilerplate mixed into the body.
"""

from __future__ import annotations

KINDS = (
    "cp1252_declared_utf8",
    "utf8_declared_latin1",
    "no_charset",
    "mojibake",
    "boilerplate",
)
PER_MILLE = 20  # share of the articles for each kind
KEY = 0x4641554C
META_UTF8 = '<meta charset="utf-8">'

BOILERPLATE = (
    "Suivez Sputnik sur Telegram pour ne rien manquer de l’actualité\xa0!",
    "Abonnez-vous à notre newsletter pour recevoir chaque matin l’essentiel de l’actualité.",
    "Pour lire cet article, acceptez les cookies de nos partenaires publicitaires.",
    "Retrouvez Sputnik France sur les réseaux sociaux\xa0: VK, Facebook et Twitter.",
    "Ce contenu vous a plu\xa0? Partagez-le avec vos amis.",
)


def fault_of(h: int) -> str | None:
    slot = h % 1000
    return KINDS[slot // PER_MILLE] if slot < PER_MILLE * len(KINDS) else None


def boilerplate(h: int, paragraphs: int) -> dict[int, str]:
    """Boilerplate paragraphs to insert: {body paragraph (0-based) they follow: text}."""
    first = BOILERPLATE[(h >> 10) % len(BOILERPLATE)]
    second = BOILERPLATE[((h >> 10) + 1 + (h >> 20) % (len(BOILERPLATE) - 1)) % len(BOILERPLATE)]
    return {(h >> 30) % max(1, paragraphs - 1): first, paragraphs - 1: second}


def _sloppy_cp1252(byte: int) -> str:
    """windows-1252, with its five undefined bytes read as Latin-1 (as browsers do)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_MOJIBAKE = {byte: _sloppy_cp1252(byte) for byte in range(128, 256)}


def mojibake(text: str) -> str:
    """``text`` encoded in UTF-8 then decoded as windows-1252: "été" -> "Ã©tÃ©"."""
    return "".join(_MOJIBAKE.get(b, chr(b)) for b in text.encode("utf-8"))


def encode(html: str, fault: str | None, h: int) -> tuple[str, bytes]:
    """(Content-Type, body bytes) of a page served with ``fault``."""
    if fault == "cp1252_declared_utf8":
        return "text/html; charset=utf-8", html.encode("cp1252", "xmlcharrefreplace")
    if fault == "utf8_declared_latin1":
        label = "iso-8859-1" if h % 2 else "windows-1252"
        html = html.replace(META_UTF8, f'<meta charset="{label}">', 1)
        return f"text/html; charset={label}", html.encode("utf-8")
    if fault == "no_charset":
        html = html.replace(META_UTF8 + "\n", "", 1)
        return "text/html", html.encode("cp1252", "xmlcharrefreplace")
    return "text/html; charset=utf-8", html.encode("utf-8")
