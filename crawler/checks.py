"""Settings checked before a crawl starts: a bad one is refused with one line naming it.

Scrapy reads a setting only when the component that uses it is built, mid-start: a
``-s CLOSESPIDER_TIMEOUT=abc`` then ends as a traceback and a failed crawl row, a
``-s ARCHIVE_COMMIT_INTERVAL=abc`` as a ``start_error``, a ``LOG_FILE`` in a missing
directory as a traceback before anything else. ``scrapy crawl`` (crawler/commands/crawl.py)
calls :func:`check_settings` before it builds anything, and refuses the run with exit status 2
and the line it returns, e.g.::

    setting CLOSESPIDER_TIMEOUT must be a number >= 0 (seconds), got 'abc'

:data:`RULES` covers every ``ARCHIVE_*`` setting of crawler/settings.py and every Scrapy
setting README.md and docs/ name (tests/test_checks.py keeps both true), each with the range
its user needs. An unset setting (``None``) is left to its user's default. Booleans are what
Scrapy's ``getbool`` documents: ``True``/``False``, ``1``/``0``, ``'true'``/``'false'``.

Reads a settings object with ``get`` and imports no Scrapy (tests/test_layering.py), so it
runs before Scrapy opens anything; the imports it makes are ``ARCHIVE_PAGE_CLASS``'s module and
those of ``ARCHIVE_SITE_MODULES``, as the spider would.
"""

from __future__ import annotations

import codecs
import importlib
import ipaddress
import json
import logging
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from archive.media import IMAGES_MODES
from archive.revisit import REVISIT_MODES, RevisitSchedule
from extraction.pages.choice import current_module, split_path


class SettingsLike(Protocol):
    """What the checks read of a settings object: Scrapy's ``Settings`` has it."""

    def get(self, name: str, default: Any = None) -> Any: ...


#: A check of one value: ``None`` if it is good, else why not (``""``: the expectation says it).
Problem = Callable[[Any], str | None]


@dataclass(frozen=True)
class Rule:
    """What a setting must be, in words for the refusal, and the check of its value."""

    expected: str
    problem: Problem

    def refusal(self, name: str, value: Any) -> str | None:
        """The refusal line for ``value`` of setting ``name``, or ``None`` if it is good."""
        try:
            why = self.problem(value)
        except (OSError, ValueError) as error:  # a path that cannot even be looked at
            why = str(error)
        if why is None:
            return None
        detail = f" ({why})" if why else ""
        # A dict setting is a Scrapy BaseSettings, whose repr says nothing of its content.
        shown = dict(value) if isinstance(value, Mapping) else value
        return f"setting {name} must be {self.expected}, got {shown!r}{detail}"


# -- values ------------------------------------------------------------------------------------


def as_number(value: Any) -> float | None:
    """``value`` as Scrapy's ``getfloat`` reads it, if finite; ``None`` if it is not a number.
    A boolean is not taken for a number of seconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def as_integer(value: Any) -> int | None:
    """``value`` as Scrapy's ``getint`` reads it; ``None`` if it is not a whole number (which
    ``getint`` would refuse or, for 2.5, silently truncate)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


#: The values Scrapy's ``getbool`` documents ("Supported values for boolean settings").
BOOLEAN_TEXTS = frozenset({"0", "1", "True", "False", "true", "false"})


def is_boolean(value: Any) -> bool:
    """True for a value ``getbool`` documents: ``True``, ``False``, ``0``, ``1`` or their text."""
    if isinstance(value, str):
        return value in BOOLEAN_TEXTS
    return isinstance(value, (bool, int)) and value in (0, 1)


# -- rules -------------------------------------------------------------------------------------


def number(minimum: float = 0, *, above: bool = False, unit: str = "") -> Rule:
    """A number ``>= minimum`` (``> minimum`` with ``above``), ``unit`` said in parentheses."""
    sign = ">" if above else ">="
    suffix = f" ({unit})" if unit else ""

    def problem(value: Any) -> str | None:
        parsed = as_number(value)
        if parsed is None or parsed < minimum or (above and parsed == minimum):
            return ""
        return None

    return Rule(f"a number {sign} {minimum:g}{suffix}", problem)


def integer(minimum: int = 0, unit: str = "") -> Rule:
    """A whole number ``>= minimum``, ``unit`` said in parentheses."""
    suffix = f" ({unit})" if unit else ""

    def problem(value: Any) -> str | None:
        parsed = as_integer(value)
        return "" if parsed is None or parsed < minimum else None

    return Rule(f"an integer >= {minimum}{suffix}", problem)


BOOLEAN = Rule(
    "True or False (or 1, 0, true, false)",
    lambda value: None if is_boolean(value) else "",
)


def _http_url_problem(value: Any) -> str | None:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return ""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return ""
    return None if parts.scheme in ("http", "https") and host else ""


HTTP_URL = Rule("an http(s) URL", _http_url_problem)


def _text_line_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip() or "\n" in value or "\r" in value:
        return ""
    return None


TEXT_LINE = Rule("one line of text, not empty", _text_line_problem)


def _encoding_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return ""
    try:
        codecs.lookup(value)
    except LookupError:
        return ""
    return None


ENCODING = Rule("a text encoding such as utf-8 or latin-1", _encoding_problem)


def _path_text(value: Any) -> str | None:
    """A path setting as text: a string or ``os.PathLike``; ``None`` for anything else."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    return value if isinstance(value, str) else None


def _host_list_problem(value: Any) -> str | None:
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)):
        return ""
    for name in names:
        if not isinstance(name, str) or any(c.isspace() or c in "/@" for c in name.strip()):
            return ""
        host = name.strip().strip("[]")
        if ":" in host:  # an IPv6 address, never a host with its port
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                return ""
    return None


HOST_LIST = Rule("host names separated by commas", _host_list_problem)


def _archive_path_problem(value: Any) -> str | None:
    text = _path_text(value)
    # An empty ARCHIVE_PATH would fall back to $ARCHIVE_PATH or ./archive.db, silently.
    return None if text is not None and text.strip() else ""


ARCHIVE_PATH = Rule("the archive file's path, not empty", _archive_path_problem)


def _log_file_problem(value: Any) -> str | None:
    text = _path_text(value)
    if text is None:
        return ""
    if not text:
        return None  # Scrapy's "no log file": the log goes to stderr
    path = Path(text)
    directory = path.parent
    if path.is_dir():
        return "it is a directory"
    if not directory.is_dir():
        return f"no directory {str(directory)!r}"
    if path.exists():
        return None if os.access(path, os.W_OK) else "the file is not writable"
    writable = os.access(directory, os.W_OK | os.X_OK)
    return None if writable else f"directory {str(directory)!r} is not writable"


LOG_FILE = Rule("a file in an existing, writable directory", _log_file_problem)


def _job_dir_problem(value: Any) -> str | None:
    text = _path_text(value)
    if text is None:
        return ""
    if not text:
        return None  # Scrapy's "no JOBDIR"
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            return "it is not a directory"
        return None if os.access(path, os.W_OK | os.X_OK) else "it is not writable"
    # Scrapy creates it with its parents: the nearest one that exists must let it.
    existing = next(parent for parent in path.absolute().parents if parent.exists())
    if not existing.is_dir():
        return f"{str(existing)!r} is not a directory"
    writable = os.access(existing, os.W_OK | os.X_OK)
    return None if writable else f"directory {str(existing)!r} is not writable"


JOBDIR = Rule("a directory that exists or can be created", _job_dir_problem)

#: The names ``logging`` knows, most used first (it also takes NOTSET, WARN, FATAL, numbers).
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def _log_level_problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return None
    known = isinstance(value, str) and isinstance(logging.getLevelName(value), int)
    return None if known else ""


LOG_LEVEL = Rule(f"one of {', '.join(LOG_LEVELS)}", _log_level_problem)


def _status_codes_problem(value: Any) -> str | None:
    # As Scrapy's getlist reads it: text is split at commas.
    if isinstance(value, str):
        codes: list[Any] = value.split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        codes = list(value)
    else:
        return ""
    parsed = [as_integer(code.strip() if isinstance(code, str) else code) for code in codes]
    return None if all(c is not None and 100 <= c <= 599 for c in parsed) else ""


HTTP_STATUSES = Rule("HTTP status codes (100-599), separated by commas", _status_codes_problem)


def _handlers_problem(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return ""
    for scheme, handler in value.items():
        named = isinstance(handler, str) and bool(handler.strip())
        if handler is not None and not named and not isinstance(handler, type):
            return f"scheme {scheme!r}"
    return None


DOWNLOAD_HANDLERS = Rule(
    'a JSON object mapping schemes to handler import paths or null, e.g. {"ftp": null}',
    _handlers_problem,
)


def _revisit_schedule_problem(value: Any) -> str | None:
    try:
        RevisitSchedule.parse(value)
    except (TypeError, ValueError) as error:
        # The refusal line shows the value already.
        return str(error).removeprefix(f"revisit schedule {value!r}: ")
    return None


REVISIT_SCHEDULE = Rule(
    "MAX_AGE:INTERVAL steps such as 1d:1h,7d:1d,30d:7d", _revisit_schedule_problem
)

REVISIT = Rule(
    f"one of {', '.join(REVISIT_MODES)}",
    lambda value: None if value in REVISIT_MODES else "",
)


IMAGES = Rule(
    f"one of {', '.join(IMAGES_MODES)}",
    lambda value: None if isinstance(value, str) and value.strip().lower() in IMAGES_MODES else "",
)


def page_class_problem(value: Any) -> str | None:
    """Why ``value`` cannot be the spider's page class: it is built as ``cls(url, body,
    encoding)`` and gives ``to_item()`` and ``extractor_version``. Importing it is the check:
    the spider imports it too."""
    cls = value
    if isinstance(value, str):
        # Named as the spider names it (``module.Class`` or ``module:Class``, an old
        # ``crawler.pages`` path too): extraction.pages.choice.load_page_class.
        module_name, attribute = split_path(value.strip())
        if not module_name or not attribute:
            return ""
        try:
            cls = getattr(importlib.import_module(current_module(module_name)), attribute)
        except Exception as error:  # whatever importing it raises, the crawl would raise too
            return f"{type(error).__name__}: {error}"
    if not isinstance(cls, type):
        return "not a class"
    missing = [name for name in ("to_item", "extractor_version") if not hasattr(cls, name)]
    if missing:
        return f"no {' or '.join(missing)}"
    return None


PAGE_CLASS = Rule("the import path of a page class (module.Class)", page_class_problem)


def _site_modules_problem(value: Any) -> str | None:
    """Why ``value`` cannot be ``ARCHIVE_SITE_MODULES``: each module is imported, as the
    spider imports it (importing registers its sites)."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        return ""
    for name in (n.strip() for n in names):
        if not name:
            continue
        try:
            importlib.import_module(name)
        except Exception as error:  # whatever importing it raises, the crawl would raise too
            return f"{type(error).__name__}: {error}"
    return None


SITE_MODULES = Rule("module names separated by commas", _site_modules_problem)

SECONDS = "seconds"

#: Each setting checked, in the order they are checked. A setting's range is what its user
#: needs: a count of concurrent requests below 1 stops the crawl, a negative count or delay is
#: meaningless, a timeout of 0 fails every download.
RULES: dict[str, Rule] = {
    # Logging comes first: Scrapy opens the log before anything else.
    "LOG_FILE": LOG_FILE,
    "LOG_LEVEL": LOG_LEVEL,
    "LOG_ENABLED": BOOLEAN,
    "LOG_FILE_APPEND": BOOLEAN,
    "LOG_ENCODING": ENCODING,
    # The archive (crawler/settings.py).
    "ARCHIVE_PATH": ARCHIVE_PATH,
    "ARCHIVE_CONTACT_URL": HTTP_URL,
    "ARCHIVE_NODE": TEXT_LINE,
    "ARCHIVE_COMMIT_INTERVAL": number(unit=SECONDS),
    "ARCHIVE_COMMIT_SIZE": integer(unit="pages"),
    "ARCHIVE_ENABLED": BOOLEAN,
    "ARCHIVE_ALLOWED_HOSTS": HOST_LIST,
    "ARCHIVE_WRITER_PROCESS": BOOLEAN,
    "ARCHIVE_WRITE_PATIENCE": number(unit=SECONDS),
    "ARCHIVE_WRITER_BACKLOG_MB": number(0, above=True, unit="megabytes"),
    "ARCHIVE_DISK_QUEUE": BOOLEAN,
    "ARCHIVE_MEMORY_QUEUE_SIZE": integer(unit="requests"),
    "ARCHIVE_PROGRESS_INTERVAL": number(unit="seconds, 0 for none"),
    "ARCHIVE_PAGE_CLASS": PAGE_CLASS,
    "ARCHIVE_SITE_MODULES": SITE_MODULES,
    "ARCHIVE_REVISIT_SCHEDULE": REVISIT_SCHEDULE,
    "ARCHIVE_REVISIT": REVISIT,
    "ARCHIVE_RETRY_AFTER_MAX": number(unit=SECONDS),
    "ARCHIVE_RETRY_AFTER_TIMES": integer(),
    "ARCHIVE_RETRY_AFTER_BACKOFF": number(unit=SECONDS),
    "ARCHIVE_CRAWL_DELAY_MAX": number(unit=SECONDS),
    "ARCHIVE_IMAGES": IMAGES,
    "ARCHIVE_IMAGE_MAX_BYTES": integer(1, unit="bytes"),
    # Bounds on one run (docs/cron.md); 0 turns a bound off.
    "CLOSESPIDER_TIMEOUT": number(unit=SECONDS),
    "CLOSESPIDER_ERRORCOUNT": integer(),
    "CLOSESPIDER_PAGECOUNT": integer(),
    "CLOSESPIDER_ITEMCOUNT": integer(),
    "CLOSESPIDER_TIMEOUT_NO_ITEM": integer(unit=SECONDS),
    "CLOSESPIDER_PAGECOUNT_NO_ITEM": integer(),
    # Politeness and downloads (docs/politeness.md).
    "USER_AGENT": TEXT_LINE,
    "ROBOTSTXT_OBEY": BOOLEAN,
    "AUTOTHROTTLE_ENABLED": BOOLEAN,
    "AUTOTHROTTLE_START_DELAY": number(unit=SECONDS),
    "AUTOTHROTTLE_MAX_DELAY": number(unit=SECONDS),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": number(above=True),
    "DOWNLOAD_DELAY": number(unit=SECONDS),
    "CONCURRENT_REQUESTS": integer(1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": integer(1),
    "CONCURRENT_ITEMS": integer(1),
    "RETRY_TIMES": integer(),
    "RETRY_HTTP_CODES": HTTP_STATUSES,
    "DOWNLOAD_TIMEOUT": number(above=True, unit=SECONDS),
    "DOWNLOAD_MAXSIZE": integer(unit="bytes, 0 for no limit"),
    "DOWNLOAD_WARNSIZE": integer(unit="bytes, 0 for no warning"),
    "DOWNLOAD_HANDLERS": DOWNLOAD_HANDLERS,
    "HTTPPROXY_AUTH_ENCODING": ENCODING,
    "JOBDIR": JOBDIR,
}


def check_settings(settings: SettingsLike) -> str | None:
    """The refusal line for the first bad setting (in :data:`RULES` order), or ``None``."""
    for name, rule in RULES.items():
        value = settings.get(name)
        if value is None:
            continue
        refusal = rule.refusal(name, value)
        if refusal is not None:
            return refusal
    return None


def check_overrides(settings: SettingsLike, overrides: Iterable[str]) -> str | None:
    """The refusal line for a ``-s NAME=VALUE`` that Scrapy cannot even store: a dict setting
    (``DOWNLOAD_HANDLERS``, ``ITEM_PIPELINES``, ...) given text that is not a JSON object,
    which Scrapy reports as a malformed option or a traceback. ``None`` for the rest."""
    for override in overrides:
        name, equals, text = override.partition("=")
        if not equals or not isinstance(settings.get(name), Mapping):
            continue
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return f"setting {name} must be a JSON object, got {text!r}"
    return None
