"""Python processes the archive starts, run without the current directory on their module path.

``python -m MODULE`` (and ``python -c``) put the current directory first on ``sys.path``, so
a ``crawler.py``, ``scrapy.py`` or ``archive/`` lying in the directory a crawl is started from
would be imported in place of the installed package's: a crawl started in a download folder
would run whatever it holds. ``python -P`` leaves it out, but only from Python 3.11; this
small bootstrap does the same on every version, then runs the module as ``-m`` would.
Modules of the user's own (a settings module, site modules) are found through
``PYTHONPATH``, which stays on the path.
"""

from __future__ import annotations

import sys

_BOOTSTRAP = (
    "import sys\n"
    "if sys.path and sys.path[0] in ('', '.'):\n"
    "    del sys.path[0]\n"
    "import runpy\n"
    "runpy.run_module({module!r}, run_name='__main__', alter_sys=True)\n"
)


def module_command(module: str, arguments: list[str]) -> list[str]:
    """``python -m module arguments...`` with this Python, minus the current directory on the
    module path (``sys.argv`` is as ``-m`` makes it: the module's file, then ``arguments``)."""
    return [sys.executable, "-c", _BOOTSTRAP.format(module=module), *arguments]
