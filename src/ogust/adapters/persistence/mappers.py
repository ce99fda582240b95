"""Imperative mapping of the domain classes onto the tables: the domain imports no SQLAlchemy.

Value objects are composites (Money, Address, Quantity, ShopProfile); lines are ordered children
deleted with their aggregate; every aggregate's ``version`` is an optimistic lock. A change to an
aggregate's lines bumps the aggregate's version too (``bump_versions``), so two units of work
editing the same invoice's lines cannot both win.
"""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Session, composite, registry, relationship

from ogust.adapters.persistence import tables as t
from ogust.domain.address import Address
from ogust.domain.api_key import ApiKey
from ogust.domain.attestation import Attestation, AttestationLine
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote, CreditNoteLine
from ogust.domain.devis import Devis
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money
from ogust.domain.payment import Payment, PaymentAttempt
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity

mapper_registry = registry(metadata=t.metadata)

WITH_LINES = (Devis, Invoice, Attestation, CreditNote)
_mapping_lock = threading.Lock()


def _address(table: Table) -> Any:
    c = table.c
    return composite(Address, c.address_street, c.address_postal_code, c.address_city, c.address_country)


def _money(table: Table, name: str) -> Any:
    return composite(Money, table.c[f"{name}_cents"], table.c.currency)


def _lines(line_class: type, table: Table) -> Any:
    return relationship(
        line_class,
        order_by=table.c.position,
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
        lazy="selectin",
    )


def _aggregate(cls: type, table: Table, **properties: Any) -> None:
    mapper_registry.map_imperatively(cls, table, version_id_col=table.c.version, properties=properties)


def _priced_line(cls: type, table: Table) -> None:
    mapper_registry.map_imperatively(cls, table, properties={
        "quantity": composite(Quantity, table.c.quantity_value, table.c.quantity_unit),
        "unit_price_ht": _money(table, "unit_price_ht"),
    })


def map_tables() -> None:
    """Map every domain class once; calling it again (from any thread) does nothing."""
    with _mapping_lock:
        if inspect(Company, raiseerr=False) is None:
            _map_all()


def _map_all() -> None:
    _aggregate(Company, t.companies, address=_address(t.companies))
    _aggregate(Tarif, t.tarifs, price_ht=_money(t.tarifs, "price_ht"))
    _aggregate(ShopServiceMapping, t.shop_service_mappings)
    c = t.intervenants.c
    _aggregate(Intervenant, t.intervenants, profile=composite(
        ShopProfile, c.profile_presentation, c.profile_services, c.profile_zones, c.profile_skills))
    _aggregate(Client, t.clients, address=_address(t.clients))
    _priced_line(DevisLine, t.devis_lines)
    _aggregate(Devis, t.devis, lines=_lines(DevisLine, t.devis_lines))
    _aggregate(Intervention, t.interventions, start=t.interventions.c.starts_at, end=t.interventions.c.ends_at,
               address=_address(t.interventions))
    _priced_line(InvoiceLine, t.invoice_lines)
    _aggregate(Invoice, t.invoices, lines=_lines(InvoiceLine, t.invoice_lines),
               credited_ttc=composite(Money, t.invoices.c.credited_cents, t.invoices.c.credited_currency),
               paid_ttc=composite(Money, t.invoices.c.paid_cents, t.invoices.c.credited_currency))
    mapper_registry.map_imperatively(AttestationLine, t.attestation_lines)
    _aggregate(Attestation, t.attestations, amount_paid=_money(t.attestations, "amount_paid"),
               cesu_paid=_money(t.attestations, "cesu_paid"),
               refunds_deducted=_money(t.attestations, "refunds_deducted"),
               lines=_lines(AttestationLine, t.attestation_lines))
    _aggregate(PaymentAttempt, t.payment_attempts, amount=_money(t.payment_attempts, "amount"))
    _aggregate(Payment, t.payments, amount=_money(t.payments, "amount"))
    cl = t.credit_note_lines.c
    mapper_registry.map_imperatively(CreditNoteLine, t.credit_note_lines, properties={
        "amount_ht": composite(Money, cl.amount_ht_cents, cl.currency),
        "amount_vat": composite(Money, cl.amount_vat_cents, cl.currency),
    })
    _aggregate(CreditNote, t.credit_notes, refund_amount=_money(t.credit_notes, "refund_amount"),
               lines=_lines(CreditNoteLine, t.credit_note_lines))
    _aggregate(ApiKey, t.api_keys)
    mapper_registry.configure()


def bump_versions(session: Session, flush_context: object, instances: object) -> None:
    """``before_flush``: an aggregate whose lines were added, removed or changed gets a new version,
    so its row is updated with ``WHERE version = <loaded>`` like any other change."""
    dirty = session.dirty  # objects flagged as changed: a line that is not cannot have changed
    deleted = session.deleted
    for obj in list(session.identity_map.values()):
        if not isinstance(obj, WITH_LINES) or obj in deleted:
            continue
        if obj not in dirty and not any(line in dirty for line in obj.__dict__.get("lines", ())):
            continue  # neither it nor any of its lines changed (a changed collection flags its owner)
        state = inspect(obj)
        if "lines" not in state.dict or state.attrs.version.history.added:
            continue
        if state.attrs.lines.history.has_changes() or any(
                line in dirty and session.is_modified(line) for line in obj.lines):
            obj.version = obj.version + 1
