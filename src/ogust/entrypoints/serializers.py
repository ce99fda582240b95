"""Domain objects as plain JSON-ready dicts, shared by the API and the CLI's --json output."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ogust.application.outbox import OutboxJob
from ogust.application.queries import InvoiceView, ToDeclare
from ogust.application.shop_sync_service import RecordReport
from ogust.domain.address import Address
from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote
from ogust.domain.devis import Devis
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice
from ogust.domain.lines import PricedLine
from ogust.domain.money import Money
from ogust.domain.payment import Payment, PaymentAttempt, PaymentMethod
from ogust.domain.shop_service import ShopService, ShopServiceMapping
from ogust.domain.tarif import Tarif


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def money(value: Money) -> dict[str, Any]:
    return {"cents": value.cents, "currency": value.currency, "display": value.format_fr()}


def address(value: Address) -> dict[str, str]:
    return {"street": value.street, "postal_code": value.postal_code, "city": value.city, "country": value.country}


def company(c: Company) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "address": address(c.address), "siret": c.siret, "email": c.email,
            "sap_declaration_number": c.sap_declaration_number, "sap_declaration_date": _iso(c.sap_declaration_date),
            "timezone": c.timezone, "shop_account_id": c.shop_account_id, "shop_linked": c.shop_linked}


def tarif(t: Tarif) -> dict[str, Any]:
    return {"id": t.id, "code": t.code, "label": t.label, "unit": t.unit.value, "unit_label": t.unit.label_fr,
            "price_ht": money(t.price_ht),
            "price_ttc": money(t.price_ttc), "vat_rate": t.vat_rate.percent,
            "tax_credit_eligible": t.tax_credit_eligible, "mode": t.mode.value}


def shop_service(s: ShopService, mapped_to: str | None = None) -> dict[str, Any]:
    return {"id": s.id, "label": s.label, "price_ttc": money(s.price_ttc), "vat_rate": s.vat_rate.percent,
            "unit": s.unit.value, "unit_label": s.unit.label_fr, "mapped_to": mapped_to}


def mapping(m: ShopServiceMapping, t: Tarif) -> dict[str, Any]:
    return {"id": m.id, "shop_service_id": m.shop_service_id, "shop_label": m.shop_label,
            "tarif_id": t.id, "tarif_code": t.code}


def _sync(record) -> dict[str, Any]:
    return {"status": record.sync_status.value, "synced_at": _iso(record.synced_at), "failure": record.sync_failure}


def intervenant(i: Intervenant) -> dict[str, Any]:
    return {"id": i.id, "first_name": i.first_name, "last_name": i.last_name, "matricule": i.matricule,
            "email": i.email, "phone": i.phone, "active": i.active,
            "profile": {"presentation": i.profile.presentation, "services": list(i.profile.services),
                        "zones": list(i.profile.zones), "skills": list(i.profile.skills)},
            "shop_sync": _sync(i)}


def client(c: Client) -> dict[str, Any]:
    return {"id": c.id, "first_name": c.first_name, "last_name": c.last_name, "email": c.email, "phone": c.phone,
            "address": address(c.address), "origin": c.origin.value, "shop_client_id": c.shop_client_id,
            "has_saved_card": bool(c.stripe_payment_method_id), "shop_sync": _sync(c)}


def _line(line: PricedLine) -> dict[str, Any]:
    data = {"id": line.id, "tarif_id": line.tarif_id, "label": line.label, "unit": line.quantity.unit.value,
            "unit_label": line.quantity.unit.label_fr,
            "quantity": line.quantity.value, "quantity_label": line.quantity.label_fr(),
            "unit_price_ht": money(line.unit_price_ht), "vat_rate": line.vat_rate.percent,
            "amount_ht": money(line.amount_ht), "amount_vat": money(line.amount_vat),
            "amount_ttc": money(line.amount_ttc)}
    for name in ("intervention_id", "intervenant_matricule", "intervenant_name"):
        if hasattr(line, name):
            data[name] = getattr(line, name)
    if hasattr(line, "performed_on"):
        data["performed_on"] = _iso(line.performed_on)
    return data


def _totals(doc) -> dict[str, Any]:
    return {"total_ht": money(doc.total_ht), "total_vat": money(doc.total_vat), "total_ttc": money(doc.total_ttc)}


def intervention(i: Intervention) -> dict[str, Any]:
    return {"id": i.id, "client_id": i.client_id, "intervenant_id": i.intervenant_id, "tarif_id": i.tarif_id,
            "devis_id": i.devis_id, "start": _iso(i.start), "end": _iso(i.end), "minutes": i.minutes,
            "address": address(i.address), "status": i.status.value, "invoice_id": i.invoice_id}


def to_declare(items: list[ToDeclare], total: int) -> dict[str, Any]:
    return {"total": total, "interventions": [
        intervention(item.intervention) | {"intervenant_name": item.intervenant.full_name,
                                           "client_name": item.client.full_name} for item in items]}


def devis(d: Devis, interventions: list[Intervention] | None = None) -> dict[str, Any]:
    data = {"id": d.id, "client_id": d.client_id, "status": d.status.value, "created_at": _iso(d.created_at),
            "accepted_at": _iso(d.accepted_at),
            "acceptance_channel": d.acceptance_channel.value if d.acceptance_channel else None,
            "shop_order_id": d.shop_order_id, "lines": [_line(l) for l in d.lines], **_totals(d)}
    if interventions is not None:
        data["interventions"] = [intervention(i) for i in interventions]
    return data


def attempt(a: PaymentAttempt) -> dict[str, Any]:
    return {"number": a.number, "status": a.status.value, "amount": money(a.amount),
            "payment_intent_id": a.payment_intent_id, "failure": a.failure, "updated_at": _iso(a.updated_at)}


def payment(p: Payment) -> dict[str, Any]:
    return {"id": p.id, "method": p.method.code, "method_label": p.method.label_fr, "amount": money(p.amount),
            "received_at": _iso(p.received_at),
            "reference": p.reference or None}


def invoice(i: Invoice, attempts: list[PaymentAttempt] | None = None,
            payments: list[Payment] | None = None) -> dict[str, Any]:
    data = {"id": i.id, "number": i.number, "client_id": i.client_id, "source": i.source.value,
            "status": i.status.value, "devis_id": i.devis_id, "issued_on": _iso(i.issued_on),
            "period_start": _iso(i.period_start), "period_end": _iso(i.period_end), "paid_at": _iso(i.paid_at),
            "payment_reference": i.payment_reference, "payment_failure": i.payment_failure,
            "lines": [_line(l) for l in i.lines], **_totals(i), "credited_ttc": money(i.credited_ttc),
            "left_to_pay": money(i.left_to_pay)}
    if attempts is not None:
        data["payment_attempts"] = [attempt(a) for a in attempts]
    if payments is not None:
        data["payments"] = [payment(p) for p in payments]
    return data


def invoice_view(view: InvoiceView) -> dict[str, Any]:
    """An invoice with its debit attempts and its payments, as ``Queries.invoice`` reads them."""
    return {**invoice(view.invoice, view.attempts, view.payments),
            "abandoned_debit_job_id": view.abandoned_debit_job_id}


def attestation(a: Attestation) -> dict[str, Any]:
    return {"id": a.id, "number": a.number, "client_id": a.client_id, "year": a.year, "status": a.status.value,
            "amount_paid": money(a.amount_paid), "cesu_paid": money(a.cesu_paid),
            "refunds_deducted": money(a.refunds_deducted), "total_minutes": a.total_minutes,
            "revision": a.revision, "replaces_number": a.replaces_number,
            "validated_at": _iso(a.validated_at),
            "lines": [{"intervenant_matricule": l.intervenant_matricule, "intervenant_name": l.intervenant_name,
                       "year": l.year or a.year, "month": l.month, "minutes": l.minutes,
                       "interventions": l.interventions} for l in a.lines]}


def job(j: OutboxJob) -> dict[str, Any]:
    return {"id": j.id, "effect": j.effect, "key": j.key, "status": j.status.value, "attempts": j.attempts,
            "available_at": _iso(j.available_at), "last_error": j.last_error, "created_at": _iso(j.created_at),
            "done_at": _iso(j.done_at), "worker": j.worker}


def report(r: RecordReport) -> dict[str, Any]:
    return {"kind": r.kind, "id": r.record_id, "label": r.label, "outcome": r.outcome, "reason": r.reason}


def credit_note(n: CreditNote) -> dict[str, Any]:
    return {"id": n.id, "number": n.number, "client_id": n.client_id, "invoice_id": n.invoice_id,
            "invoice_number": n.invoice_number, "issued_on": _iso(n.issued_on), "reason": n.reason,
            "lines": [{"id": l.id, "label": l.label, "vat_rate": l.vat_rate.percent, "amount_ht": money(l.amount_ht),
                       "amount_vat": money(l.amount_vat), "amount_ttc": money(l.amount_ttc)} for l in n.lines],
            **_totals(n),
            "refund": {"status": n.refund_status.value, "amount": money(n.refund_amount),
                       "method": (n.refund_method.code if n.refund_method
                                  else (PaymentMethod.CARD.code if n.payment_intent_id else None)),
                       "payment_intent_id": n.payment_intent_id, "refund_id": n.refund_id,
                       "failure": n.refund_failure, "refunded_at": _iso(n.refunded_at)}}


_FILE_PREFIX = {"invoice": "facture", "devis": "devis", "attestation": "attestation-fiscale", "credit_note": "avoir"}


def document_filename(kind: str, document: Any, extension: str) -> str:
    """An ASCII file name for a download: facture-FA-2026-000001.pdf, avoir-AV-2026-000001.pdf…"""
    if kind == "devis":
        reference = f"DV-{document.id[:8].upper()}"
    elif kind == "attestation":
        reference = f"{document.year}-{document.number or 'brouillon'}"
    else:
        reference = getattr(document, "number", None) or "brouillon"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in reference)
    return f"{_FILE_PREFIX.get(kind, 'document')}-{safe}.{extension}"
