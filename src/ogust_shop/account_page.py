"""The client's "Mon compte" page: the invoices and attestations ogust published, with their links."""
from __future__ import annotations

from datetime import date
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ogust_shop.auth import store_of
from ogust_shop.problems import Problem

router = APIRouter()
KINDS = {"invoice": "Facture", "attestation": "Attestation fiscale"}
STATUSES = {"validated": "Validée", "paid": "Payée", "payment_failed": "Paiement refusé",
            "needs_authentication": "Paiement à confirmer", "credited": "Soldée par avoir", "issued": "Émise"}

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Mon compte — {shop}</title>
<style>body{{font-family:sans-serif;margin:2rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.4rem .8rem;text-align:left}}</style></head>
<body><h1>Mon compte</h1><p>{name} — {email}</p><h2>Mes documents</h2>{documents}</body></html>"""


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
        email=escape(client["email"]), documents=_table(documents)))


def _table(documents: list[dict]) -> str:
    if not documents:
        return "<p>Aucun document pour le moment.</p>"
    rows = "".join(
        f"<tr><td>{escape(KINDS.get(d['kind'], d['kind']))}</td><td>{escape(d['title'])}</td>"
        f"<td>{escape(d['number'])}</td><td>{date.fromisoformat(d['issued_on']):%d/%m/%Y}</td>"
        f"<td>{_euros(d['amount_ttc_cents'])}</td><td>{escape(STATUSES.get(d['status'], d['status']))}</td>"
        f"<td><a href=\"{escape(d['download_url'])}\">Télécharger</a></td></tr>"
        for d in documents
    )
    head = "".join(f"<th>{title}</th>" for title in ("Type", "Titre", "Numéro", "Date", "Montant TTC", "Statut", ""))
    return f"<table><tr>{head}</tr>{rows}</table>"


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"
