"""The replica's photos: small valid JPEGs, one per image path, the same bytes every time.

Every path of the form the article pages use (``/images/...jpg`` on the legacy layout,
``/img/...jpg`` on the current one) answers an image of :data:`WIDTH` x :data:`HEIGHT` grey
pixels whose comment segment names the path, so two paths never share their bytes and a
path always serves the same ones (its sha256 is stable from day to day). Built by hand (a
baseline JPEG whose every block is flat), so the replica needs no imaging library.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache

WIDTH, HEIGHT = 160, 90

#: The image paths the replica's article pages reference.
PHOTO_PATH = re.compile(r"/(?:images|img)/[0-9a-f/]+/[0-9A-Za-z_:.-]+\.jpg")


def is_photo_path(path: str) -> bool:
    return PHOTO_PATH.fullmatch(path) is not None


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


@lru_cache(maxsize=256)
def photo(path: str, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The JPEG served at ``path``: ``width`` x ``height`` pixels of mid grey (one component,
    every coefficient zero: each 8x8 block is the two one-bit codes DC 0 and end of block)."""
    blocks = -(-width // 8) * -(-height // 8)
    bits = 2 * blocks
    scan = bytearray(b"\x00" * (bits // 8))
    if bits % 8:
        scan.append(0xFF >> (bits % 8))  # padded with ones
    return b"".join(
        (
            b"\xff\xd8",  # SOI
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, path.encode("utf-8")),
            _segment(0xDB, b"\x00" + b"\x01" * 64),  # quantisation table 0: all ones
            _segment(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00"),
            _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00"),  # DC: one code "0"
            _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00"),  # AC: one code "0"
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # SOS
            bytes(scan),
            b"\xff\xd9",  # EOI
        )
    )
