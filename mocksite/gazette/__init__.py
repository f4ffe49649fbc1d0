"""La Gazette du Val: a second, independent replica site, a fictitious French regional daily.

Its layout is not the Sputnik replica's: it follows the habits of real French news pages
(Le Monde, Le Figaro, Les Échos, Euronews; see ``mocksite.gazette.pages``). ``Gazette`` is
the pure model and ground truth (``Gazette.article(i)``), ``start()`` serves it with the
replica's server machinery, ``python -m mocksite --site gazette [--peer URL]`` from the
command line. With a ``peer`` (the Sputnik replica's base URL) some "Lire aussi" boxes point
to that replica's articles: edges across sites.
"""

from __future__ import annotations

from .server import GazetteApp, RunningGazette, start
from .site import Gazette

__all__ = ["Gazette", "GazetteApp", "RunningGazette", "start"]
