"""Keep secrets out of the log and the archive.

A secret is the value of a setting, environment variable or mapping key whose name says so
(a word such as PASSWORD, SECRET, TOKEN, KEY, AUTH, COOKIE or CREDENTIALS, unless the name
ends in ENABLED, ENCODING, DEBUG, ...: ``HTTPPROXY_AUTH_ENCODING`` names no secret; PWD only
within a longer name such as ``DB_PWD``, since ``PWD`` alone is the shell's working
directory), and the ``user:password@`` part of any URL, proxies' included.

- :func:`redact` returns a copy of a mapping with those replaced by ``***``: for what gets
  stored, such as the spider arguments of the ``crawls`` row.
- :class:`SecretRedaction`, an extension, rewrites every log record of the crawl before any
  handler sees it: URL credentials, and the values of secret settings and environment
  variables wherever they appear. Scrapy's "Overridden settings" line is rebuilt from
  :func:`redact`, since pprint may split a long value over lines.
"""

from __future__ import annotations

import logging
import os
import pprint
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from scrapy import signals
from scrapy.settings import BaseSettings, overridden_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

REDACTED = "***"
#: Shorter values are not replaced all over the log (a TOKEN of "1" would hide every 1).
MIN_SECRET_LENGTH = 4

_SECRET_WORDS = frozenset(
    {
        "APIKEY",
        "AUTH",
        "AUTHORIZATION",
        "COOKIE",
        "COOKIES",
        "CREDENTIAL",
        "CREDENTIALS",
        "KEY",
        "PASS",
        "PASSPHRASE",
        "PASSWD",
        "PASSWORD",
        "SECRET",
        "SIGNATURE",
        "TOKEN",
    }
)
_SECRET_ENDINGS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY")
#: Words that name a secret only within a longer name (``DB_PWD``, ``MYSQL_PWD``): a name that
#: is the word alone means something else. POSIX shells export ``PWD`` (and ``OLDPWD``, a
#: word of its own) as the working directory, whose path is in every traceback of the log.
_QUALIFIED_SECRET_WORDS = frozenset({"PWD"})
#: Last words of names that configure how secrets are used without being one.
_NOT_SECRET_LAST = frozenset({"ENABLED", "ENCODING", "DEBUG", "CLASS", "DOMAIN", "PRIORITY"})

#: ``scheme://user:password@`` or ``scheme://token@``.
_URL_CREDENTIALS = re.compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^\s/?#@:'\"<>]*)"
    r"(?::(?P<password>[^\s/?#@'\"<>]*))?@"
)

_OVERRIDDEN = "Overridden settings"


def is_secret_name(name: str) -> bool:
    """Whether a setting, variable or key with this name holds a secret."""
    words = [w for w in re.split(r"[^A-Z0-9]+", name.upper()) if w]
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    secret = _SECRET_WORDS if len(words) == 1 else _SECRET_WORDS | _QUALIFIED_SECRET_WORDS
    return any(w in secret or w.endswith(_SECRET_ENDINGS) for w in words)


def _hide_credentials(match: re.Match[str]) -> str:
    if match.group("password") is not None:
        return f"{match.group('scheme')}{match.group('user')}:{REDACTED}@"
    return f"{match.group('scheme')}{REDACTED}@"


def redact_urls(text: str) -> str:
    """``text`` with the password (or lone token) of every URL's ``user:password@`` hidden."""
    return _URL_CREDENTIALS.sub(_hide_credentials, text) if "@" in text else text


def url_secrets(text: str) -> set[str]:
    """The passwords and lone tokens of the URLs in ``text``, as written and decoded."""
    found: set[str] = set()
    for match in _URL_CREDENTIALS.finditer(text):
        secret = match.group("password")
        if secret is None:
            secret = match.group("user")
        if secret:
            found.update({secret, unquote(secret)})
    return found


def _redact_value(name: str, value: Any) -> Any:
    if is_secret_name(name) and value not in (None, "") and not isinstance(value, bool):
        return REDACTED
    if isinstance(value, str):
        return redact_urls(value)
    if isinstance(value, Mapping):
        return redact(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_redact_value("", v) for v in value)
    return value


def redact(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A copy of ``mapping`` with its secrets replaced by ``***``, nested mappings included.

    Values under secret names are hidden whole; URL credentials in any string are hidden.
    """
    return {key: _redact_value(str(key), value) for key, value in mapping.items()}


def secret_values(*sources: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """Secret strings of ``(name, value)`` pairs: values under secret names, URL passwords."""
    found: set[str] = set()
    for pairs in sources:
        for name, value in pairs:
            if not isinstance(value, str):
                continue
            if is_secret_name(name):
                found.add(value)
            found.update(url_secrets(value))
    return frozenset(s for s in found if len(s) >= MIN_SECRET_LENGTH)


class Redactor:
    """Hides known secret strings and URL credentials in text and log records."""

    def __init__(self, secrets: Iterable[str], settings: BaseSettings | None = None) -> None:
        self.secrets = sorted(set(secrets), key=len, reverse=True)
        self.settings = settings

    def text(self, text: str) -> str:
        text = redact_urls(text)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def record(self, record: logging.LogRecord) -> None:
        """Rewrite ``record`` in place so that no secret is left in its message or traceback."""
        if self.settings is not None and str(record.msg).startswith(_OVERRIDDEN):
            shown = redact(dict(overridden_settings(self.settings)))
            record.msg, record.args = (
                f"{_OVERRIDDEN}:\n%(settings)s",
                {"settings": pprint.pformat(shown)},
            )
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it when formatting
            return
        clean = self.text(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.text(record.exc_text)


class SecretRedaction:
    """Extension: every log record of the crawl goes through a :class:`Redactor` first.

    It wraps the log record factory rather than filtering a handler, because Scrapy replaces
    its root handler once settings are applied, and records are then created everywhere. It is
    an extension so that it is in place before Scrapy logs the overridden settings; the
    previous factory comes back when the engine stops.
    """

    def __init__(self, crawler: Crawler, environ: Mapping[str, str] | None = None) -> None:
        settings = crawler.settings
        environ = os.environ if environ is None else environ
        pairs = [(str(name), settings[name]) for name in settings]
        self.redactor = Redactor(secret_values(pairs, environ.items()), settings)
        self._previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self._make_record)
        crawler.signals.connect(self.uninstall, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SecretRedaction:
        return cls(crawler)

    def _make_record(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous(*args, **kwargs)
        self.redactor.record(record)
        return record

    def uninstall(self) -> None:
        """Put the previous log record factory back (unless another was set over ours)."""
        if logging.getLogRecordFactory() == self._make_record:
            logging.setLogRecordFactory(self._previous)
