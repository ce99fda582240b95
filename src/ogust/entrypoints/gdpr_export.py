"""A client's data as a zip (GDPR access and portability), for the CLI and the API alike:
``client.json`` (the record, devis, interventions, invoices with their debit attempts, payments,
attestations, credit notes, the emails sent) and each document as a PDF under ``documents/``.

Each issued document carries ``client_as_issued``: the name, email and address it keeps from its issue
(also after an erasure of the record, for its legal retention); null on a draft and on a document
issued before those were kept, which shows the client record."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from ogust.application.gdpr import ClientData
from ogust.domain.client_identity import ClientIdentity
from ogust.entrypoints import serializers as s

README = """Données détenues par {company} sur {name} (article 15 et 20 du RGPD), exportées le {at}.

client.json : la fiche client, les devis, interventions, factures (et tentatives de prélèvement),
paiements, attestations fiscales, avoirs, et le journal des emails envoyés.
documents/ : chaque document au format PDF, tel que le client le reçoit.

Un document émis (devis envoyé, facture validée, avoir, attestation fiscale) garde les nom, email et
adresse du client à la date de son émission (« client_as_issued » dans client.json), même après un
effacement de la fiche : il est conservé tel qu'il a été émis pendant sa durée légale de conservation.

Aucune donnée de carte n'est détenue : la carte est enregistrée chez Stripe, seul son identifiant l'est ici.
"""


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _as_issued(document_json: dict, identity: ClientIdentity | None) -> dict:
    shown = None if identity is None else {"first_name": identity.first_name, "last_name": identity.last_name,
                                           "email": identity.email, "address": s.address(identity.address)}
    return {**document_json, "client_as_issued": shown}


def client_data_json(data: ClientData) -> dict:
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "controller": {"name": data.company.name, "siret": data.company.siret, "email": data.company.email},
        "client": s.client(data.client),
        "devis": [_as_issued(s.devis(d), d.client_identity) for d in data.devis],
        "interventions": [s.intervention(i) for i in data.interventions],
        "invoices": [_as_issued(s.invoice(i, data.attempts.get(i.id)), i.client_identity) for i in data.invoices],
        "payments": [{"id": p.id, "invoice_id": p.invoice_id, "amount": s.money(p.amount),
                      "received_at": p.received_at.isoformat(), "method": p.method.code} for p in data.payments],
        "attestations": [_as_issued(s.attestation(a), a.client_identity) for a in data.attestations],
        "credit_notes": [_as_issued(s.credit_note(n), n.client_identity) for n in data.credit_notes],
        "emails": [_plain({k: v for k, v in row.items() if k != "company_id"}) for row in data.emails],
        "documents": [f"documents/{s.document_filename(d.kind, d.document, 'pdf')}" for d in data.documents],
    }


def client_data_zip(data: ClientData) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(company=data.company.name, name=data.client.full_name,
                                                       at=datetime.now(UTC).strftime("%d/%m/%Y")))
        archive.writestr("client.json", json.dumps(client_data_json(data), ensure_ascii=False, indent=2,
                                                   default=str))
        for document in data.documents:
            archive.writestr(f"documents/{s.document_filename(document.kind, document.document, 'pdf')}",
                             document.content)
    return buffer.getvalue()


def export_filename(data: ClientData) -> str:
    return f"donnees-client-{data.client.id[:8]}.zip"
