"""The batches on the real database and the real shop: the export goes through the shop's bulk
endpoints (500 records per call at most); the year's attestations, computed a page of clients at
a time, are exactly what the one-client handler computes."""
from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from ogust.adapters.shop.http_shop_api import HttpShopApi
from ogust.application import commands as c
from ogust.application.shop_export import ShopExport
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.credit_note import CreditNote, RefundStatus, amount_credit_lines
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.shop_sync import SyncStatus
from ogust.domain.units import Quantity, Unit

from .conftest import Company

pytestmark = pytest.mark.integration

UTC = UTC
HOME = Address("5 place Bellecour", "69002", "Lyon")


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path.rsplit('/', 1)[-1]}")
        return super().handle_request(request)


def test_export_goes_through_the_bulk_endpoints(company: Company, settings, shop_server) -> None:
    clients = [Client(company.id, f"P{n}", f"Nom{n:04d}", f"client{n}@example.fr", HOME) for n in range(1100)]
    clients[700] = Client(company.id, "Jean", "Nom0700", "jean@example.fr", HOME)
    clients[700].phone = "06 " * 12  # too long for the shop: a record kept from before ogust checked phone numbers
    with company.container.uow() as uow:
        for client in clients:
            uow.clients.add(client)
        uow.commit()
    transport = CountingTransport()
    reports, started = [], []
    with HttpShopApi(settings.shop_url, settings.shop_api_key, transport=transport) as api:
        summary = ShopExport(company.container.uow, api)(c.ExportToShop(company.id), started.append, None,
                                                         reports.append)
        assert summary == {"sent": 1100, "unchanged": 0, "failed": 1}  # 1 intervenant + 1099 clients
        assert started == [1101]
        assert transport.calls == ["POST intervenants:bulk"] + ["POST clients:bulk"] * 3
        [refused] = [r for r in reports if r.outcome == "failed"]
        assert refused.record_id == clients[700].id and "phone" in refused.reason
        assert [r.label for r in reports[1:4]] == ["P0 Nom0000", "P1 Nom0001", "P2 Nom0002"]

        transport.calls.clear()
        again = ShopExport(company.container.uow, api)(c.ExportToShop(company.id))
        assert again == {"sent": 0, "unchanged": 1100, "failed": 1}
        assert transport.calls == ["POST clients:bulk"]  # only the refused one goes again
    shop_clients = shop_server.admin.account(settings.extra["shop_account"])["clients"]
    assert len(shop_clients) == 1099
    with company.container.uow() as uow:
        linked = uow.clients.get(company.id, clients[5].id)
    assert linked.shop_client_id and linked.sync_status is SyncStatus.IN_SYNC


def _paid(uow, company: Company, client_id: str, day: date, received: datetime, minutes: int,
          method: PaymentMethod = PaymentMethod.CARD) -> Money:
    line = InvoiceLine(company.tarif_id, "Ménage", Quantity(minutes, Unit.HOUR), Money(2500), VatRate.INTERMEDIATE_10,
                       performed_on=day, intervenant_matricule="M001", intervenant_name="Marie Curie")
    invoice = Invoice(company.id, client_id, InvoiceSource.MANUAL, [line], created_at=received)
    uow.invoices.add(invoice)
    uow.payments.add(Payment(company.id, invoice.id, client_id, invoice.total_ttc, received, method, "pi_x"))
    return invoice.total_ttc


def test_the_year_by_pages_equals_one_client_at_a_time(company: Company) -> None:
    container = company.container
    clients = [company.client(f"Annuel{n}") for n in range(7)]
    with container.uow() as uow:
        for n, client in enumerate(clients[:6]):
            for month in range(1, 13, 1 + n % 3):
                _paid(uow, company, client.id, date(2026, month, 10), datetime(2026, month, 28, 9, 0, tzinfo=UTC),
                      60 + 30 * n)
        # paid on 31 December at 23:30 in Paris: 2026's, though it is 22:30 UTC; an hour later, 2027's
        last = _paid(uow, company, clients[0].id, date(2026, 12, 20), datetime(2026, 12, 31, 22, 30, tzinfo=UTC), 45)
        _paid(uow, company, clients[0].id, date(2026, 12, 21), datetime(2026, 12, 31, 23, 30, tzinfo=UTC), 45)
        # paid in cash only: no attestation
        _paid(uow, company, clients[6].id, date(2026, 3, 3), datetime(2026, 3, 4, 9, 0, tzinfo=UTC), 60,
              PaymentMethod.CASH)
        # paid by cheque in 2025, 10,00 € of it refunded by cheque in March 2026: deducted from 2026
        _paid(uow, company, clients[1].id, date(2025, 12, 1), datetime(2025, 12, 2, 9, 0, tzinfo=UTC), 60,
              PaymentMethod.CHEQUE)
        [of_2025] = [i for i in uow.invoices.list(company.id) if i.created_at.year == 2025]
        uow.credit_notes.add(CreditNote(
            company.id, clients[1].id, of_2025.id, "FA-2025-000001", "AV-2026-000001", date(2026, 3, 1),
            "Heure non faite", amount_credit_lines(of_2025, Money(1000)), refund_amount=Money(1000),
            refund_status=RefundStatus.SUCCEEDED, refund_method=PaymentMethod.CHEQUE,
            refunded_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
        uow.commit()

    progress = []
    outcomes = container.generate_attestations()(c.GenerateAttestations(company.id, 2026, chunk_size=3),
                                                 progress.append)
    assert sorted(o.client_id for o in outcomes) == sorted(c.id for c in clients)
    assert progress == [1] * 7
    [cash] = [o for o in outcomes if o.client_id == clients[6].id]
    assert cash.attestation_id is None and "2026" in cash.error

    def content(client_id: str):
        with container.uow() as uow:
            found = uow.attestations.for_client_year(company.id, client_id, 2026)
            return (found.amount_paid, found.refunds_deducted,
                    [(line.month, line.minutes, line.interventions) for line in found.lines])

    by_pages = {o.client_id: content(o.client_id) for o in outcomes if o.attestation_id}
    assert len(by_pages) == 6
    for client_id in by_pages:  # the one-client handler recomputes the very same drafts
        container.generate_attestation()(c.GenerateAttestation(company.id, client_id, 2026))
    assert {client_id: content(client_id) for client_id in by_pages} == by_pages
    assert by_pages[clients[1].id][1] == Money(1000)  # the refund of 2026, of a payment of 2025
    amount, _, lines = by_pages[clients[0].id]
    assert lines[-1] == (12, 60 + 45, 2) and len(lines) == 12
    with container.uow() as uow:
        monthly = [p.amount for p in uow.payments.for_client(company.id, clients[0].id)
                   if p.received_at.month < 12 or p.received_at.day == 28]
    assert amount == sum(monthly, Money(0)) + last
