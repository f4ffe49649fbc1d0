"""A deterministic local replica of the Sputnik France news site (standard library only).

``mocksite.site.Site`` is the pure model (ground truth for tests), ``mocksite.server.start``
serves it over HTTP, ``python -m mocksite`` runs it from the command line; ``hostile=True``
adds the fault routes of ``mocksite.hostile`` (ground truth: ``Site.hostile_routes()``) and
``robots=`` picks what /robots.txt answers. Nothing here imports ``crawler`` or ``archive``:
a replica sharing code with the parser would prove nothing.
"""

from __future__ import annotations

from .server import RunningSite, start
from .site import Site

__all__ = ["RunningSite", "Site", "start"]
