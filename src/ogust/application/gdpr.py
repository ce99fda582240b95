"""GDPR: what ogust holds about a client (the right of access and to portability), and erasure.

Erasure anonymises the client's record, its interventions' address, the email log and the personal
values in the audit entries (who did what when stays), keeps the invoices, credit notes and
attestations for their legal retention (10 years, art. L123-22 du Code de commerce), and detaches
the card at Stripe and erases the shop's copy of the client through the outbox (``ClientErased``): an
outage of either delays it, never loses it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ogust.application.documents import DocumentQueries, render
from ogust.application.handlers import UowFactory
from ogust.application.ports import DocumentRenderer
from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote
from ogust.domain.devis import Devis
from ogust.domain.erasure import ensure_erasable
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice
from ogust.domain.payment import Payment, PaymentAttempt


@dataclass(frozen=True)
class EraseClient:
    company_id: str
    client_id: str


@dataclass(frozen=True)
class ClientDocument:
    kind: str  # devis | invoice | attestation | credit_note
    document: object
    content: bytes


@dataclass
class ClientData:
    """Everything held about one client, with each document as the client receives it."""

    company: Company
    client: Client
    devis: list[Devis] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    attempts: dict[str, list[PaymentAttempt]] = field(default_factory=dict)  # by invoice id
    payments: list[Payment] = field(default_factory=list)
    attestations: list[Attestation] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    emails: list[dict[str, object]] = field(default_factory=list)
    documents: list[ClientDocument] = field(default_factory=list)


class ClientDataExport:
    def __init__(self, uow: UowFactory, renderer: DocumentRenderer) -> None:
        self.uow = uow
        self.renderer = renderer
        self.documents = DocumentQueries(uow)

    def __call__(self, company_id: str, client_id: str) -> ClientData:
        with self.uow() as uow:
            client = uow.clients.get(company_id, client_id)
            data = ClientData(company=uow.companies.get(company_id), client=client)
            data.devis = sorted(uow.devis.for_client(company_id, client_id), key=lambda d: d.id)
            data.interventions = sorted((i for i in uow.interventions.list(company_id) if i.client_id == client_id),
                                        key=lambda i: i.start)
            data.invoices = sorted((i for i in uow.invoices.list(company_id) if i.client_id == client_id),
                                   key=lambda i: (i.number or "~", i.id))
            data.attempts = {i.id: uow.payment_attempts.for_invoice(company_id, i.id) for i in data.invoices}
            data.payments = sorted(uow.payments.for_client(company_id, client_id), key=lambda p: p.received_at)
            data.attestations = sorted((a for a in uow.attestations.list(company_id) if a.client_id == client_id),
                                       key=lambda a: a.year)
            data.credit_notes = sorted((n for n in uow.credit_notes.list(company_id) if n.client_id == client_id),
                                       key=lambda n: n.number)
            data.emails = [row for row in uow.emails.list(company_id) if row.get("to_email") == client.email]
        for kind, documents in (("devis", data.devis), ("invoice", [i for i in data.invoices if i.number]),
                                ("attestation", data.attestations), ("credit_note", data.credit_notes)):
            for document in documents:
                found, context = self.documents.document(company_id, kind, document.id)
                data.documents.append(ClientDocument(kind, found, render(self.renderer, kind, found, context)))
        return data


class EraseClientHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: EraseClient) -> Client:
        with self.uow() as uow:
            client = uow.clients.get(cmd.company_id, cmd.client_id)
            interventions = uow.interventions.for_client(cmd.company_id, client.id)
            invoices = uow.invoices.for_client(cmd.company_id, client.id)
            ensure_erasable(client.id, interventions, invoices,
                            uow.credit_notes.for_invoices(cmd.company_id, [i.id for i in invoices]))
            email = client.email
            client.erase()
            uow.emails.anonymise(cmd.company_id, email, client.email)
            for intervention in interventions:
                # the client's home goes, but not from an invoice: the place of intervention is one of its
                # mentions (art. D.7233-1), kept with it 10 years (art. L123-22 du Code de commerce)
                if intervention.invoice_id is None:
                    intervention.forget_address()
            uow.audit.redact_client(cmd.company_id, client.id)  # the audit log held the names and addresses too
            uow.commit()
            return client
