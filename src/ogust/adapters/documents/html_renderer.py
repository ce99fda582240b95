"""Renders invoices, devis and attestations as printable French HTML documents."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.devis import Devis
from ogust.domain.invoice import Invoice

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
)
_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"]


def _minutes(value: int) -> str:
    hours, minutes = divmod(value, 60)
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"


_ENV.filters["minutes"] = _minutes
_ENV.filters["month_fr"] = lambda m: _MONTHS[m - 1]
_ENV.filters["date_fr"] = lambda d: d.strftime("%d/%m/%Y") if d else ""


class HtmlDocumentRenderer:
    media_type = "text/html; charset=utf-8"
    extension = "html"

    def invoice(self, invoice: Invoice, company: Company, client: Client) -> bytes:
        zone = ZoneInfo(company.timezone)
        paid_on = invoice.paid_at.astimezone(zone).date() if invoice.paid_at else None
        return _ENV.get_template("invoice.html.j2").render(
            invoice=invoice, company=company, client=client, paid_on=paid_on).encode()

    def devis(self, devis: Devis, company: Company, client: Client) -> bytes:
        return _ENV.get_template("devis.html.j2").render(devis=devis, company=company, client=client).encode()

    def attestation(self, attestation: Attestation, company: Company, client: Client) -> bytes:
        return _ENV.get_template("attestation.html.j2").render(
            attestation=attestation, company=company, client=client).encode()
