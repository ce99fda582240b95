"""The API's response models describe the serializers' dicts exactly: a dict read through its model and
written back is the same dict (no key dropped or added, no value changed). FastAPI would otherwise drop an
undeclared key silently, or answer 500 for a value the model refuses."""
from __future__ import annotations

from datetime import date

from ogust.application.outbox import JobStatus, OutboxJob
from ogust.application.queries import InvoiceView
from ogust.application.shop_sync_service import RecordReport
from ogust.domain.address import Address
from ogust.domain.devis import Devis
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import AttemptStatus, Payment, PaymentAttempt, PaymentMethod
from ogust.domain.shop_service import ShopService, ShopServiceMapping
from ogust.domain.units import Quantity, Unit
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from tests.unit.documents import samples


def answers():
    """(model, serialized dict): full records, and drafts whose optional values are all None."""
    story = samples.build()
    men, *_ = story.tarifs.values()
    intervention, *_ = story.interventions.values()
    marie, *_ = story.intervenants.values()
    attempt = PaymentAttempt(company_id=story.company.id, invoice_id=story.invoice.id, number=1,
                             amount=story.invoice.total_ttc, idempotency_key="k", status=AttemptStatus.SUCCEEDED,
                             payment_intent_id="pi_3Nx42", updated_at=samples.paris(2026, 4, 30, 18, 5))
    draft_invoice = Invoice(company_id=story.company.id, client_id=story.client.id, source=InvoiceSource.MANUAL,
                            lines=[InvoiceLine(men.id, men.label, Quantity.pieces(1), men.price_ht, men.vat_rate)])
    draft_devis = Devis(company_id=story.company.id, client_id=story.client.id,
                        lines=[DevisLine(men.id, men.label, Quantity.hours_minutes(90), men.price_ht, men.vat_rate)])
    service = ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR)
    mapping = ShopServiceMapping(company_id=story.company.id, shop_service_id="svc_menage", shop_label="Ménage",
                                 tarif_id=men.id)
    job = OutboxJob(company_id=story.company.id, effect="payment.charge_invoice", key="charge|1", payload={},
                    created_at=samples.paris(2026, 4, 30, 18), available_at=samples.paris(2026, 4, 30, 18),
                    status=JobStatus.DONE, attempts=1, worker="w1", done_at=samples.paris(2026, 4, 30, 18, 1))
    story.company.link_shop("acc_demo", "s" * 32)
    cheque = Payment(company_id=story.company.id, invoice_id=story.invoice.id, client_id=story.client.id,
                     amount=story.invoice.total_ttc, received_at=samples.paris(2026, 5, 2, 12),
                     method=PaymentMethod.CHEQUE, reference="1234567")
    cash = Payment(company_id=story.company.id, invoice_id=story.invoice.id, client_id=story.client.id,
                   amount=Money(500), received_at=samples.paris(2026, 5, 3, 12), method=PaymentMethod.CASH)
    return [
        (out.Company, s.company(story.company)),
        (out.Tarif, s.tarif(men)),
        (out.ShopService, s.shop_service(service, "MEN")),
        (out.ShopService, s.shop_service(service)),
        (out.ShopServiceMapping, s.mapping(mapping, men)),
        (out.Intervenant, s.intervenant(marie)),
        (out.Client, s.client(story.client)),
        (out.Intervention, s.intervention(intervention)),
        (out.Devis, s.devis(story.devis)),
        (out.Devis, s.devis(draft_devis)),
        (out.DevisWithInterventions, s.devis(story.devis, list(story.interventions.values()))),
        (out.Invoice, s.invoice(story.invoice)),
        (out.Invoice, s.invoice(draft_invoice)),
        (out.InvoiceWithPayments, s.invoice_view(InvoiceView(story.invoice, story.client, [attempt],
                                                             [story.payment], "job-1"))),
        (out.InvoiceWithPayments, s.invoice_view(InvoiceView(story.invoice, story.client, [], [cheque, cash]))),
        (out.Payment, s.payment(cheque)),
        (out.Attestation, s.attestation(story.attestation)),
        (out.CreditNote, s.credit_note(story.credit_note)),
        (out.OutboxJob, s.job(job)),
        (out.SyncReport, s.report(RecordReport("client", story.client.id, "Élodie Bérénger", "failed", "refusé"))),
        (out.Address, s.address(Address("8 rue Mercière", "69002", "Lyon"))),
    ]


def test_a_serialized_record_reads_and_writes_back_unchanged():
    for model, data in answers():
        assert model.model_validate(data).model_dump(mode="json") == data, model.__name__


def test_an_issue_date_stays_as_the_serializer_wrote_it():
    """Dates and times are kept as the ISO strings written (a UTC time keeps "+00:00", not "Z")."""
    data = s.devis(samples.build().devis) | {"created_at": "2026-04-01T08:00:00+00:00"}
    assert out.Devis.model_validate(data).model_dump(mode="json")["created_at"] == "2026-04-01T08:00:00+00:00"
    assert date.fromisoformat(s.invoice(samples.build().invoice)["issued_on"])
