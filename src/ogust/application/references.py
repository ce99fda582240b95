"""What an operator types to name a record — an invoice, avoir or attestation number, a matricule, an
email — or its id: the one place where a reference is resolved, for the API and the CLI alike, so that
``POST /api/invoices/FA-2026-000006/validate`` finds the invoice ``ogust invoice validate`` finds.

The functions find the record in a unit of work already open (the queries use them); ``References``
gives the id to the entrypoints, which hand ids to the handlers. A record of another company, or no
record at all, is NotFound whatever the reference."""
from __future__ import annotations

from typing import TypeVar

from ogust.application.handlers import UowFactory
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.credit_note import CreditNote
from ogust.domain.devis import Devis
from ogust.domain.errors import NotFound
from ogust.domain.intervenant import Intervenant
from ogust.domain.invoice import Invoice

T = TypeVar("T")


def intervenant_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> Intervenant:
    """By id or matricule (M001)."""
    found = uow.intervenants.find(company_id, ref) or uow.intervenants.by_matricule(company_id, ref.strip())
    return _found(found, "intervenant", ref)


def client_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> Client:
    """By id or email (any case)."""
    found = uow.clients.find(company_id, ref) or uow.clients.by_email(company_id, ref.strip().lower())
    return _found(found, "client", ref)


def invoice_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> Invoice:
    """By number (FA-2026-000001) or id."""
    found = uow.invoices.by_number(company_id, ref.strip()) or uow.invoices.find(company_id, ref)
    return _found(found, "facture", ref)


def credit_note_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> CreditNote:
    """By number (AV-2026-000001) or id."""
    found = uow.credit_notes.by_number(company_id, ref.strip()) or uow.credit_notes.find(company_id, ref)
    return _found(found, "avoir", ref)


def attestation_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> Attestation:
    """By number or id."""
    found = uow.attestations.by_number(company_id, ref.strip()) or uow.attestations.find(company_id, ref)
    return _found(found, "attestation", ref)


def devis_by_ref(uow: UnitOfWork, company_id: str, ref: str) -> Devis:
    """By id (a devis has no number of its own)."""
    return _found(uow.devis.find(company_id, ref), "devis", ref)


class References:
    """The id of the record a reference names, in one unit of work each."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def intervenant(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return intervenant_by_ref(uow, company_id, ref).id

    def client(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return client_by_ref(uow, company_id, ref).id

    def invoice(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return invoice_by_ref(uow, company_id, ref).id

    def credit_note(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return credit_note_by_ref(uow, company_id, ref).id

    def attestation(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return attestation_by_ref(uow, company_id, ref).id

    def devis(self, company_id: str, ref: str) -> str:
        with self.uow() as uow:
            return devis_by_ref(uow, company_id, ref).id


def _found(found: T | None, what: str, ref: str) -> T:
    if found is None:
        raise NotFound(what, ref)
    return found
