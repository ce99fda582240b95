"""On the real databases: a draft invoice deleted with its lines, its intervention released first (the
foreign key), and the deletion audited."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from ogust.adapters.persistence import tables as t
from ogust.application import commands as c
from ogust.application.handlers.invoicing import ContractInvoiceHandler, DiscardDraftInvoiceHandler
from ogust.domain.intervention import Intervention
from tests.integration.persistence.test_audit_append_only import log_of

from .conftest import World

pytestmark = pytest.mark.integration


def test_a_draft_is_deleted_with_its_lines_and_its_intervention_released(world: World, make_uow, engine) -> None:
    start = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
    done = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id, start,
                        start + timedelta(hours=2), world.client.address)
    done.mark_done(done.end)
    with make_uow() as uow:
        uow.interventions.add(done)
        uow.commit()
    draft = ContractInvoiceHandler(make_uow)(c.ContractInvoice(world.company_id, world.client.id, date(2026, 10, 1),
                                                               date(2026, 10, 31)))
    DiscardDraftInvoiceHandler(make_uow)(c.DiscardDraftInvoice(world.company_id, draft.id))
    with make_uow() as uow:
        assert uow.invoices.find(world.company_id, draft.id) is None
        assert uow.interventions.get(world.company_id, done.id).invoice_id is None
    assert [e.action for e in log_of(engine, world.company_id, draft.id)] == ["created", "deleted"]
    with engine.connect() as connection:
        assert connection.execute(select(t.invoice_lines).where(t.invoice_lines.c.invoice_id == draft.id)).all() == []
    again = ContractInvoiceHandler(make_uow)(c.ContractInvoice(world.company_id, world.client.id, date(2026, 10, 1),
                                                               date(2026, 10, 31)))
    assert [line.intervention_id for line in again.lines] == [done.id]  # invoiced again
