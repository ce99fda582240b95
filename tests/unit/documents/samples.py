"""A small, realistic set of documents for the renderer tests (built in functions: the ORM may map
the classes later in the session, so no domain object is made at import time)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ogust.application.ports import DocumentContext
from ogust.domain.address import Address
from ogust.domain.attestation import Attestation, AttestationLine, AttestationStatus
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote, RefundStatus, amount_credit_lines
from ogust.domain.devis import AcceptanceChannel, Devis
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.tarif import InterventionMode, Tarif
from ogust.domain.units import Quantity, Unit

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@dataclass
class Samples:
    company: Company
    client: Client
    tarifs: dict[str, Tarif]
    intervenants: dict[str, Intervenant]
    interventions: dict[str, Intervention]
    invoice: Invoice
    payment: Payment
    devis: Devis
    attestation: Attestation
    credit_note: CreditNote

    def invoice_context(self) -> DocumentContext:
        return DocumentContext(self.company, self.client, tarifs=self.tarifs, interventions=self.interventions,
                               intervenants=self.intervenants, payments=(self.payment,),
                               credit_notes=(self.credit_note,))

    def devis_context(self) -> DocumentContext:
        return DocumentContext(self.company, self.client, tarifs=self.tarifs, interventions=self.interventions,
                               intervenants=self.intervenants)

    def credit_note_context(self) -> DocumentContext:
        return DocumentContext(self.company, self.client, invoice=self.invoice, payments=(self.payment,))


def build() -> Samples:
    company = Company(name="Aide & Vous Services", address=Address("12 rue des Lilas", "69003", "Lyon"),
                      siret="73282932000074", sap_declaration_number="SAP123456789",
                      sap_declaration_date=date(2021, 3, 1), email="contact@aide-et-vous.example")
    client = Client(company_id=company.id, first_name="Élodie", last_name="Bérénger",
                    email="elodie.berenger@example.fr", address=Address("5 place Bellecour", "69002", "Lyon"),
                    stripe_customer_id="cus_1", stripe_payment_method_id="pm_1")
    men = Tarif(company_id=company.id, code="MEN", label="Ménage", unit=Unit.HOUR, price_ht=Money(2500),
                vat_rate=VatRate.INTERMEDIATE_10)
    toilette = Tarif(company_id=company.id, code="TOILETTE", label="Aide à la toilette", unit=Unit.HOUR,
                     price_ht=Money(3000), vat_rate=VatRate.REDUCED_5_5)
    bricolage = Tarif(company_id=company.id, code="BRICO", label="Petit bricolage « dépannage »", unit=Unit.FLAT,
                      price_ht=Money(4000), vat_rate=VatRate.STANDARD_20, mode=InterventionMode.PRESTATAIRE)
    marie = Intervenant(company_id=company.id, first_name="Marie", last_name="Curie", matricule="M001")
    paul = Intervenant(company_id=company.id, first_name="Paul", last_name="Martin", matricule="M002")
    place = Address("8 rue Mercière", "69002", "Lyon")
    first = Intervention(company_id=company.id, client_id=client.id, intervenant_id=marie.id, tarif_id=men.id,
                         start=paris(2026, 4, 6, 9), end=paris(2026, 4, 6, 11, 30), address=place)
    second = Intervention(company_id=company.id, client_id=client.id, intervenant_id=paul.id, tarif_id=toilette.id,
                          start=paris(2026, 4, 8, 14), end=paris(2026, 4, 8, 14, 45), address=place)
    devis = Devis(company_id=company.id, client_id=client.id, created_at=paris(2026, 4, 1, 10), lines=[
        DevisLine(men.id, men.label, Quantity.hours_minutes(150), men.price_ht, men.vat_rate),
        DevisLine(toilette.id, toilette.label, Quantity.hours_minutes(45), toilette.price_ht, toilette.vat_rate),
        DevisLine(bricolage.id, bricolage.label, Quantity.pieces(1), bricolage.price_ht, bricolage.vat_rate),
    ])
    devis.send(client)
    devis.accept(paris(2026, 4, 1, 10, 5), AcceptanceChannel.SHOP)
    first.devis_id = second.devis_id = devis.id
    invoice = Invoice(company_id=company.id, client_id=client.id, source=InvoiceSource.CONTRACT,
                      created_at=paris(2026, 4, 30, 18), period_start=date(2026, 4, 1), period_end=date(2026, 4, 30),
                      lines=[
                          InvoiceLine(men.id, men.label, Quantity.hours_minutes(150), men.price_ht, men.vat_rate,
                                      intervention_id=first.id, performed_on=date(2026, 4, 6),
                                      intervenant_matricule="M001", intervenant_name="Marie Curie"),
                          InvoiceLine(toilette.id, toilette.label, Quantity.hours_minutes(45), toilette.price_ht,
                                      toilette.vat_rate, intervention_id=second.id, performed_on=date(2026, 4, 8),
                                      intervenant_matricule="M002", intervenant_name="Paul Martin"),
                          InvoiceLine(bricolage.id, bricolage.label, Quantity.pieces(1), bricolage.price_ht,
                                      bricolage.vat_rate, performed_on=date(2026, 4, 8), tax_credit_eligible=False),
                      ])
    invoice.validate("FA-2026-000042", date(2026, 4, 30), client)
    invoice.mark_paid("pi_3Nx42", paris(2026, 4, 30, 18, 5))
    payment = Payment(company_id=company.id, invoice_id=invoice.id, client_id=client.id, amount=invoice.total_ttc,
                      received_at=paris(2026, 4, 30, 18, 5), method=PaymentMethod.CARD, reference="pi_3Nx42")
    note = CreditNote.issue(invoice, "AV-2026-000007", date(2026, 5, 4), "Intervention du 08/04 écourtée",
                            amount_credit_lines(invoice, Money(1000)), [payment], [], paris(2026, 5, 4, 9))
    note.mark_refunded("re_1Abc", paris(2026, 5, 4, 9, 1))
    attestation = Attestation(company_id=company.id, client_id=client.id, year=2026, amount_paid=Money(123456),
                              created_at=paris(2027, 1, 15, 9), lines=[
                                  AttestationLine("M001", "Marie Curie", 4, 150, 1),
                                  AttestationLine("M002", "Paul Martin", 4, 45, 1),
                                  AttestationLine("M001", "Marie Curie", 5, 600, 4),
                              ])
    attestation.validate("AF-2026-000003", paris(2027, 1, 15, 9, 30), client, PARIS)
    assert attestation.status is AttestationStatus.VALIDATED and invoice.status is InvoiceStatus.PAID
    assert note.refund_status is RefundStatus.SUCCEEDED
    return Samples(company, client, {t.id: t for t in (men, toilette, bricolage)},
                   {i.id: i for i in (marie, paul)}, {i.id: i for i in (first, second)}, invoice, payment, devis,
                   attestation, note)


__all__ = ["Samples", "build", "timezone"]
