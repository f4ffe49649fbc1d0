"""The User-Agent names where site owners reach the crawl's operator: ``ARCHIVE_CONTACT_URL``.

``crawler.settings`` builds ``USER_AGENT`` from the environment variable when it is imported;
a contact URL given as a setting (``-s ARCHIVE_CONTACT_URL=...``, a settings module of one's
own) comes later, so this add-on builds the User-Agent again from the setting before the
crawl starts. A ``USER_AGENT`` the user sets (``-s USER_AGENT=...``) is left as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

#: The User-Agent, given the contact URL.
USER_AGENT_FORMAT = "sputnik-archiver/0.1 (+{contact})"


def user_agent(contact: str) -> str:
    """The crawl's User-Agent with ``contact`` as where to reach its operator."""
    return USER_AGENT_FORMAT.format(contact=contact)


class ContactUserAgent:
    """Scrapy add-on (``ADDONS``): ``USER_AGENT`` from the ``ARCHIVE_CONTACT_URL`` setting."""

    def update_settings(self, settings: BaseSettings) -> None:
        contact = settings.get("ARCHIVE_CONTACT_URL")
        given = settings.getpriority("USER_AGENT") or 0
        if not contact or given > SETTINGS_PRIORITIES["project"]:
            return
        settings.set("USER_AGENT", user_agent(str(contact)), priority="project")
