"""Erasing a client while an invoice is owed or an intervention planned is refused and changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ogust.application.gdpr import EraseClient, EraseClientHandler
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.domain.errors import InvalidTransition
from tests.unit.application.conftest import SOON, item, order, validated_invoice


def test_refused_with_what_is_pending_and_nothing_changed(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)  # its intervention done, invoiced
    PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON + timedelta(days=7)), order_id="ord_2"))  # planned
    before = uow.clients.get(ready.id, invoice.client_id).full_name
    jobs = len(uow.outbox.jobs)
    with pytest.raises(InvalidTransition) as error:
        EraseClientHandler(uow)(EraseClient(ready.id, invoice.client_id))
    assert "intervention(s) prévue(s)" in error.value.message and invoice.number in error.value.message
    client = uow.clients.get(ready.id, invoice.client_id)
    assert client.full_name == before and not client.is_erased
    assert len(uow.outbox.jobs) == jobs and uow.audit.redacted == []
    assert all(i.address.street != "Adresse effacée" for i in uow.interventions.for_client(ready.id, client.id))
