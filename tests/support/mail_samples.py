"""Notifications as the application builds them, for the mail adapter tests."""
from __future__ import annotations

from ogust.application.ports import EmailKind, Notification

COMPANY = {
    "company_name": "Aide & Services à Domicile",
    "company_email": "contact@asd.example",
    "company_address": "12 rue de la Paix, 75002 Paris",
    "company_sap_number": "SAP123456789",
}
INVOICE = {
    "client_name": "Zoé Lefèvre",
    "invoice_number": "F-2026-0042",
    "amount_ttc": "27,50 €",
    "issued_on": "28/11/2026",
    "download_url": "https://boutique.asd.example/documents/facture/inv-42",
}
EXTRA = {
    EmailKind.DEBIT_CONFIRMED: {},
    EmailKind.DEBIT_FAILED: {"reason": "Carte refusée par la banque"},
    EmailKind.AUTHENTICATION_NEEDED: {"payment_url": "https://boutique.asd.example/paiement/inv-42"},
    EmailKind.INVOICE_AVAILABLE: {"left_to_pay": "27,50 €"},
}
ATTESTATION = {
    "client_name": "Zoé Lefèvre",
    "attestation_number": "AF-2026-0007",
    "year": "2026",
    "amount_paid": "1 234,50 €",
    "cesu_paid": "275,00 €",
    "replaces_number": "",
    "download_url": "https://boutique.asd.example/documents/attestation/att-7",
}
CREDIT_NOTE = {
    "client_name": "Zoé Lefèvre",
    "credit_note_number": "AV-2026-0003",
    "invoice_number": "F-2026-0042",
    "issued_on": "30/11/2026",
    "amount_ttc": "27,50 €",
    "reason": "Intervention annulée",
    "refund_amount": "27,50 €",
    "left_to_pay": "55,00 €",
    "download_url": "https://boutique.asd.example/documents/avoir/av-3",
}


def sample_context(kind: EmailKind, **overrides: str) -> dict[str, str]:
    if kind is EmailKind.ATTESTATION_AVAILABLE:
        context = {**COMPANY, **ATTESTATION}
    elif kind is EmailKind.CREDIT_NOTE_AVAILABLE:
        context = {**COMPANY, **CREDIT_NOTE}
    elif kind is EmailKind.CREDIT_NOTE_REFUNDED:
        context = {**COMPANY, **{key: CREDIT_NOTE[key] for key in (
            "client_name", "credit_note_number", "invoice_number", "refund_amount", "download_url")}}
    else:
        context = {**COMPANY, **INVOICE, **EXTRA[kind]}
    return {**context, **overrides}


def sample_notification(
    kind: EmailKind = EmailKind.DEBIT_CONFIRMED,
    message_id: str = "debit-confirmed.inv-42@asd.example",
    to_email: str = "zoe.lefevre@client.example",
    to_name: str = "Zoé Lefèvre",
    **overrides: str,
) -> Notification:
    return Notification(message_id, kind, to_email, to_name, sample_context(kind, **overrides))
