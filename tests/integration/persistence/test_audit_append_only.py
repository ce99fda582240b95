"""The audit log is append-only in the database itself (triggers, migration 0006): no UPDATE, no
DELETE — on SQLite and PostgreSQL alike, even for the tables' owner — except the one-time GDPR
redaction of an erased client's values, which keeps who did what and when. (On PostgreSQL the
application's role may not even try: test_least_privilege.py.)"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.access import REDACTED
from ogust.application import commands as c
from ogust.application.access import acting_as
from ogust.application.gdpr import EraseClient, EraseClientHandler
from ogust.application.handlers.invoicing import ManualInvoiceHandler, ValidateInvoiceHandler
from ogust.domain.intervention import Intervention

pytestmark = pytest.mark.integration


def log_of(engine: Engine, company_id: str, entity_id: str | None = None) -> list:
    c = t.audit_log.c
    statement = select(t.audit_log).where(c.company_id == company_id).order_by(c.id)
    if entity_id:
        statement = statement.where(c.entity_id == entity_id)
    with engine.connect() as connection:
        return list(connection.execute(statement))


def refused(engine: Engine, statement: str, **params) -> str:
    with pytest.raises(DBAPIError) as error, engine.begin() as connection:
        connection.execute(text(statement), params)
    return str(error.value)


def test_no_entry_can_be_changed_or_deleted(owner_engine, world) -> None:
    engine = owner_engine  # the trigger holds for the role that owns the table, who could drop it
    [entry, *_] = log_of(engine, world.company_id)
    for statement in ("UPDATE audit_log SET actor = 'quelqu''un d''autre' WHERE id = :id",
                      "UPDATE audit_log SET changes = '{}' WHERE id = :id",  # a "redaction" that does not say so
                      "UPDATE audit_log SET redacted_at = at, actor = 'x' WHERE id = :id",  # nor only redacts
                      "DELETE FROM audit_log WHERE id = :id",
                      "DELETE FROM audit_log"):
        assert "ajout seul" in refused(engine, statement, id=entry.id)
    if engine.dialect.name == "postgresql":
        assert "ajout seul" in refused(engine, "TRUNCATE audit_log")
    assert log_of(engine, world.company_id)[0] == entry


def test_erasing_a_client_redacts_its_entries_once_and_keeps_who_and_when(engine, owner_engine, world,
                                                                           make_uow) -> None:
    with acting_as("cli:secretariat"), make_uow() as uow:
        uow.clients.get(world.company_id, world.client.id).update(email="jeanne.martin@exemple.fr",
                                                                  phone="04 78 00 00 00")
        uow.commit()
    with make_uow() as uow:  # at her home (her address is in the intervention's entry)
        start = uow.clock.now() + timedelta(days=1)
        intervention = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id, start,
                                    start + timedelta(hours=2), world.client.address)
        uow.interventions.add(intervention)
        uow.commit()
    invoice = ManualInvoiceHandler(make_uow)(c.ManualInvoice(world.company_id, world.client.id,
                                                             (c.ManualInvoiceLine(world.tarif.code, 60, start.date(),
                                                                                  world.intervenant.id),)))
    ValidateInvoiceHandler(make_uow)(c.ValidateInvoice(world.company_id, invoice.id))  # names her as issued
    with make_uow() as uow:  # done and paid: nothing under way any more, she may be erased
        done = uow.interventions.get(world.company_id, intervention.id)
        done.mark_done(done.end)  # declared at the end of the visit
        done.mark_invoiced(invoice.id)
        uow.invoices.get(world.company_id, invoice.id).mark_paid("pi_audit", uow.clock.now())
        uow.commit()
    related = [e for e in log_of(engine, world.company_id) if e.entity_id in (intervention.id, invoice.id)]
    assert "Martin" in json.dumps([e.changes for e in related]) and "Lilas" in json.dumps([e.changes for e in related])
    before = log_of(engine, world.company_id, world.client.id)
    assert [e.action for e in before] == ["created", "updated"]
    assert "Martin" in json.dumps([e.changes for e in before])
    others = [e for e in log_of(engine, world.company_id) if e.entity_id != world.client.id]

    with acting_as("cli:dpo"):
        EraseClientHandler(make_uow)(EraseClient(world.company_id, world.client.id))

    after = log_of(engine, world.company_id, world.client.id)
    assert [(e.action, e.actor, e.at) for e in after[:2]] == [(e.action, e.actor, e.at) for e in before]
    assert (after[2].action, after[2].actor) == ("updated", "cli:dpo")  # the erasure itself
    for entry in after:
        assert entry.redacted_at is not None
        assert set(entry.changes) == {"before", "after"}
        assert {value for side in entry.changes.values() for value in side.values()} <= {REDACTED}
    assert set(after[1].changes["after"]) == {"email", "phone"}  # which fields changed stays
    text_after = json.dumps([e.changes for e in after], ensure_ascii=False)
    for personal in ("Jeanne", "Martin", "jeanne.martin", "04 78", "Lilas", "69003"):
        assert personal not in text_after
    # what names or locates her elsewhere goes too (her home on the intervention, her identity on the
    # invoice); the rest of those entries stays: the invoice's number and status
    related_after = [e for e in log_of(engine, world.company_id) if e.entity_id in (intervention.id, invoice.id)]
    text_related = json.dumps([e.changes for e in related_after], ensure_ascii=False)
    for personal in ("Jeanne", "Martin", "jeanne.martin", "Lilas", "69003"):
        assert personal not in text_related
    validated = next(e for e in related_after if e.changes["after"].get("status") == "validated")
    assert validated.changes["after"]["number"].startswith("FA-") and validated.redacted_at is not None
    assert validated.changes["after"]["client_identity"] == REDACTED
    with make_uow() as uow:  # invoiced, the intervention keeps its place: a mention of the invoice (D.7233-1)
        assert uow.interventions.get(world.company_id, intervention.id).address == world.client.address
    # the other entities' entries are untouched, and a redacted entry cannot be rewritten again
    untouched = [e for e in others if e.entity_id not in (intervention.id, invoice.id)]
    assert [e for e in log_of(engine, world.company_id) if e.id in {o.id for o in untouched}] == untouched
    assert "ajout seul" in refused(owner_engine,
                                   "UPDATE audit_log SET changes = :changes, redacted_at = at WHERE id = :id",
                                   changes=json.dumps({"before": {}, "after": {"email": "x"}}), id=after[0].id)
