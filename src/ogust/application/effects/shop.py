"""Pushes to the shop: intervenants, clients, invoices and attestations; and a client's erasure."""
from __future__ import annotations

from ogust.application.effects import GiveUp, RetryLater
from ogust.application.handlers import UowFactory
from ogust.application.outbox import OutboxJob
from ogust.application.ports import DocumentLinks, ShopApi, ShopDocument, ShopRejected, ShopUnavailable
from ogust.domain.client import Client
from ogust.domain.errors import ConcurrencyConflict, ShopNotLinked
from ogust.domain.invoice import Invoice
from ogust.domain.shop_sync import ShopSynced


def _record_failure(uow_factory: UowFactory, repo: str, job: OutboxJob, record_id: str, fp: str, reason: str) -> None:
    with uow_factory() as uow:
        record: ShopSynced = getattr(uow, repo).get(job.company_id, record_id)
        record.mark_sync_failed(fp, reason)
        uow.commit()


def _push(uow_factory: UowFactory, repo: str, job: OutboxJob, record_id: str, push) -> object:
    """Send the record's current fields; remember what was sent, or why it failed."""
    with uow_factory() as uow:
        account = uow.companies.get(job.company_id).require_shop()
        record: ShopSynced = getattr(uow, repo).get(job.company_id, record_id)
        fields, fp = record.shop_fields(), record.fingerprint
    try:
        result = push(account, fields)
    except ShopRejected as error:
        _record_failure(uow_factory, repo, job, record_id, fp, f"refusé par la boutique : {error}")
        raise GiveUp(str(error)) from error
    except ShopUnavailable as error:
        _record_failure(uow_factory, repo, job, record_id, fp, f"boutique injoignable : {error}")
        raise RetryLater(str(error)) from error
    _remember_sent(uow_factory, repo, job, record_id, fp, result)
    return result


def _remember_sent(uow_factory: UowFactory, repo: str, job: OutboxJob, record_id: str, fp: str,
                   result: object) -> None:
    """Note on the record what the shop now holds. Another process may have changed the record while
    it was being sent — most often another worker sending the same client for another document (an
    invoice's two publications, validated then paid): the push, an upsert, stands; the record is read
    again and noted once more, and only a record that keeps changing leaves the job to a retry."""
    for _ in range(2):
        with uow_factory() as uow:
            record = getattr(uow, repo).get(job.company_id, record_id)
            record.mark_synced(fp, uow.clock.now())
            if isinstance(record, Client) and isinstance(result, str):
                record.link_shop_client(result)
            try:
                uow.commit()
                return
            except ConcurrencyConflict:
                continue
    raise RetryLater("fiche modifiée par une autre opération pendant l'envoi à la boutique : nouvel envoi")


class SyncIntervenantEffect:
    def __init__(self, uow: UowFactory, shop: ShopApi) -> None:
        self.uow = uow
        self.shop = shop

    def __call__(self, job: OutboxJob) -> None:
        _push(self.uow, "intervenants", job, str(job.payload["intervenant_id"]), self.shop.upsert_intervenant)


class TransmitClientEffect:
    def __init__(self, uow: UowFactory, shop: ShopApi) -> None:
        self.uow = uow
        self.shop = shop

    def __call__(self, job: OutboxJob) -> None:
        _push(self.uow, "clients", job, str(job.payload["client_id"]), self.shop.upsert_client)


def ensure_client_in_shop(uow_factory: UowFactory, shop: ShopApi, job: OutboxJob, client_id: str) -> str:
    with uow_factory() as uow:
        client = uow.clients.get(job.company_id, client_id)
        if client.shop_client_id and client.synced_fingerprint is not None:
            return client.shop_client_id
    return str(_push(uow_factory, "clients", job, client_id, shop.upsert_client))


class PublishInvoiceEffect:
    """Put the invoice, as it stands now, in the client's shop account."""

    def __init__(self, uow: UowFactory, shop: ShopApi, links: DocumentLinks) -> None:
        self.uow = uow
        self.shop = shop
        self.links = links

    def __call__(self, job: OutboxJob) -> None:
        invoice_id = str(job.payload["invoice_id"])
        with self.uow() as uow:
            invoice = uow.invoices.get(job.company_id, invoice_id)
            account = uow.companies.get(job.company_id).require_shop()
        shop_client_id = ensure_client_in_shop(self.uow, self.shop, job, invoice.client_id)
        document = ShopDocument(
            kind="invoice", id=invoice.id, number=invoice.number or "", client_id=invoice.client_id,
            issued_on=invoice.issued_on.isoformat() if invoice.issued_on else "",
            amount_ttc_cents=invoice.total_ttc.cents, status=shop_status(invoice),
            download_url=self.links.download_url(job.company_id, "invoice", invoice.id),
            title=f"Facture {invoice.number}", left_to_pay_cents=invoice.left_to_pay.cents,
        )
        _publish(self.shop, account, shop_client_id, document)


def shop_status(invoice: Invoice) -> str:
    """The invoice's status as the shop contract names it: a debit the company cancelled is not a card
    the bank refused."""
    return "debit_cancelled" if invoice.debit_cancelled else invoice.status.value


class PublishAttestationEffect:
    def __init__(self, uow: UowFactory, shop: ShopApi, links: DocumentLinks) -> None:
        self.uow = uow
        self.shop = shop
        self.links = links

    def __call__(self, job: OutboxJob) -> None:
        attestation_id = str(job.payload["attestation_id"])
        with self.uow() as uow:
            attestation = uow.attestations.get(job.company_id, attestation_id)
            account = uow.companies.get(job.company_id).require_shop()
            # an attestation rectificative takes the place of the first one in the client's account
            first = attestation
            while first.replaces_id:
                first = uow.attestations.get(job.company_id, first.replaces_id)
        shop_client_id = ensure_client_in_shop(self.uow, self.shop, job, attestation.client_id)
        document = ShopDocument(
            kind="attestation", id=first.id, number=attestation.number or "", client_id=attestation.client_id,
            issued_on=attestation.validated_at.date().isoformat() if attestation.validated_at else "",
            amount_ttc_cents=attestation.amount_paid.cents, status=attestation.status.value,
            download_url=self.links.download_url(job.company_id, "attestation", attestation.id),
            title=f"Attestation fiscale {attestation.year}"
                  + (f" (rectificative, remplace la n° {attestation.replaces_number})" if attestation.replaces_id
                     else ""),
        )
        _publish(self.shop, account, shop_client_id, document)


def _publish(shop: ShopApi, account: str, shop_client_id: str, document: ShopDocument) -> None:
    try:
        shop.publish_document(account, shop_client_id, document)
    except ShopRejected as error:
        raise GiveUp(f"refusé par la boutique : {error}") from error
    except ShopUnavailable as error:
        raise RetryLater(f"boutique injoignable : {error}") from error



class EraseClientInShopEffect:
    """After a GDPR erasure (``ClientErased``): the shop anonymises its copy of the client and keeps
    the documents published there. Nothing to do for a client the shop never knew; the shop down →
    retried later (the job keeps the ids the erasure cleared in ogust, so nothing is lost)."""

    def __init__(self, uow: UowFactory, shop: ShopApi) -> None:
        self.uow = uow
        self.shop = shop

    def __call__(self, job: OutboxJob) -> None:
        if not job.payload.get("known_to_shop"):
            return  # never transmitted, never came from the shop
        try:
            with self.uow() as uow:
                account = uow.companies.get(job.company_id).require_shop()
        except ShopNotLinked as error:
            raise GiveUp(f"copie du client à la boutique non effacée : {error}") from error
        client_id = str(job.payload["client_id"])
        try:
            self.shop.erase_client(account, client_id, str(job.payload.get("shop_client_id") or "") or None)
        except ShopRejected as error:
            raise GiveUp(f"effacement refusé par la boutique : {error}") from error
        except ShopUnavailable as error:
            raise RetryLater(f"boutique injoignable : {error}") from error
