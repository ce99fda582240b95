"""Invoices made by hand in tests: a service à la personne is invoiced with the day it was performed
and the intervenant who performed it (art. D.7233-1 du code du travail)."""
from __future__ import annotations

from datetime import date

from ogust.application import commands as c
from ogust.domain.errors import NotFound
from ogust.entrypoints.container import Container

MATRICULE = "M900"


def served(container: Container, company_id: str, minutes: int, on: date | None = None,
           tarif_code: str = "MEN") -> tuple[c.ManualInvoiceLine, ...]:
    """One line of ``minutes`` of ``tarif_code``, performed ``on`` (today) by the company's
    intervenant M900 (Louise Michel, created the first time)."""
    try:
        intervenant_id = container.queries().intervenant_ref(company_id, MATRICULE).id
    except NotFound:
        intervenant_id = container.create_intervenant()(
            c.CreateIntervenant(company_id, "Louise", "Michel", MATRICULE)).id
    return (c.ManualInvoiceLine(tarif_code, minutes, on or date.today(), intervenant_id),)
