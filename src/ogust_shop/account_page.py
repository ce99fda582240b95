"""The client's "Mon compte" page: the invoices, credit notes (avoirs) and attestations ogust published,
with what is left to pay and their links — in French, whatever the contract's status names."""
from __future__ import annotations

from datetime import date
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ogust_shop.auth import store_of
from ogust_shop.problems import Problem

router = APIRouter()
KINDS = {"invoice": "Facture", "credit_note": "Avoir", "attestation": "Attestation fiscale"}
STATUSES = {
    "invoice": {"validated": "À payer", "paid": "Payée", "payment_failed": "Paiement refusé",
                "debit_cancelled": "Débit annulé", "needs_authentication": "Paiement à confirmer",
                "credited": "Soldée par avoir"},
    "credit_note": {"issued": "Émis", "refund_pending": "Remboursement en cours", "refunded": "Remboursé",
                    "refund_failed": "Remboursement en échec"},
    "attestation": {"validated": "Validée", "issued": "Émise"},
}
UNKNOWN_STATUS = "—"  # a status this page does not know yet: nothing rather than an English word

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Mon compte — {shop}</title>
<style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.4rem .8rem;text-align:left}}
td.montant{{text-align:right;white-space:nowrap}}td.numero{{white-space:nowrap}}</style></head>
<body><h1>Mon compte</h1><p>{name} — {email}</p><h2>Mes documents</h2>{due}{documents}</body></html>"""
HEAD = ("Document", "Titre", "Numéro", "Date", "Montant TTC", "Reste à payer", "Statut", "")


@router.get("/accounts/{account_id}/clients/{shop_client_id}", response_class=HTMLResponse)
def my_account(account_id: str, shop_client_id: str, request: Request) -> HTMLResponse:
    account = store_of(request).account(account_id)
    client = account and account["clients"].get(shop_client_id)
    if not client or client.get("erased_at"):  # an erased customer has no account page any more
        raise Problem(404, "client_not_found", f"Le client boutique {shop_client_id} n'existe pas.")
    documents = sorted(account["documents"].get(shop_client_id, {}).values(),
                       key=lambda document: (document["issued_on"], document["number"]), reverse=True)
    return HTMLResponse(PAGE.format(
        shop=escape(account["name"]), name=escape(f"{client['first_name']} {client['last_name']}"),
        email=escape(client["email"]), due=_left_to_pay(documents), documents=_table(documents)))


def status_fr(document: dict) -> str:
    return STATUSES.get(document["kind"], {}).get(document["status"], UNKNOWN_STATUS)


def _left_to_pay(documents: list[dict]) -> str:
    due = sum(d.get("left_to_pay_cents") or 0 for d in documents if d["kind"] == "invoice")
    if not due:
        return '<p id="reste-a-payer">Rien à payer.</p>'
    return f'<p id="reste-a-payer">Reste à payer : <strong>{_euros(due)}</strong></p>'


def _table(documents: list[dict]) -> str:
    if not documents:
        return "<p>Aucun document pour le moment.</p>"
    rows = "".join(
        f"<tr><td>{escape(KINDS.get(d['kind'], 'Document'))}</td><td>{escape(d['title'])}</td>"
        f"<td class=\"numero\">{escape(d['number'])}</td><td>{date.fromisoformat(d['issued_on']):%d/%m/%Y}</td>"
        f"<td class=\"montant\">{_euros(d['amount_ttc_cents'])}</td>"
        f"<td class=\"montant\">{_still_due(d)}</td><td>{escape(status_fr(d))}</td>"
        f"<td><a href=\"{escape(d['download_url'])}\">Télécharger</a></td></tr>"
        for d in documents
    )
    head = "".join(f"<th>{title}</th>" for title in HEAD)
    return f"<table><tr>{head}</tr>{rows}</table>"


def _still_due(document: dict) -> str:
    """An invoice's left to pay (what ogust published); nothing for an avoir or an attestation."""
    if document["kind"] != "invoice" or document.get("left_to_pay_cents") is None:
        return ""
    return _euros(document["left_to_pay_cents"])


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"
