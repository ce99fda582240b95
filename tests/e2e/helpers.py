"""Small helpers shared by the end-to-end tests."""
from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from tests.support.smtp_server import SmtpTestServer

PARIS = ZoneInfo("Europe/Paris")
PROBLEM_JSON = "application/problem+json"


def future_slot(days: int = 3, hour: int = 9, hours: int = 2) -> tuple[datetime, datetime]:
    """A slot in the coming days, Paris time (orders for the past are refused)."""
    day = (datetime.now(PARIS) + timedelta(days=days)).date()
    start = datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)
    return start, start + timedelta(hours=hours)


def unique_email(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.fr"


def messages_to(smtp: SmtpTestServer, email: str, count: int, timeout: float = 10.0) -> list[EmailMessage]:
    """The emails received for ``email`` (the SMTP server is shared by the whole session)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.messages if email.lower() in str(m["To"]).lower()]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, base_url: str) -> str:
    found = re.findall(re.escape(base_url) + r"/documents/[A-Za-z0-9_\-.]+", text_of(message))
    assert found, f"no download link to {base_url} in:\n{text_of(message)}"
    return found[0]
