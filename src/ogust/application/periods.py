"""Months as operators name them (``2026-10``) and their days; a span of days as instants in the
company's time zone."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as day_time
from zoneinfo import ZoneInfo

from ogust.domain.errors import InvalidValue
from ogust.domain.validation import MAX_YEAR, MIN_YEAR


def parse_month(text: str) -> tuple[int, int]:
    """A month as an operator types it: AAAA-MM (2026-10) or MM/AAAA (10/2026)."""
    try:
        if "/" in text:
            month, year = (int(part) for part in text.strip().split("/"))
        else:
            year, month = (int(part) for part in text.strip().split("-"))
    except ValueError:
        raise InvalidValue(f"Mois illisible : {text[:20]!r} (AAAA-MM ou MM/AAAA, ex. 2026-10 ou 10/2026).",
                           field="month") from None
    month_period(year, month)
    return year, month


def month_period(year: int, month: int) -> tuple[date, date]:
    """First and last day of the month."""
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise InvalidValue(f"Mois invalide : {year}-{month:02d}", field="month")
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def period_instants(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of ``first`` and the last of ``last``, in the company's time zone."""
    return datetime.combine(first, day_time.min, zone), datetime.combine(last, day_time.max, zone)
