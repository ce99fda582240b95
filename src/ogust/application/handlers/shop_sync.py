"""Send intervenants (with skills) and clients to the shop: one record or a batch.
These handlers only ask: the outbox worker pushes, and the record keeps the result."""
from __future__ import annotations

from dataclasses import dataclass

from ogust.application.commands import ExportToShop, SyncIntervenant, TransmitClient
from ogust.application.handlers import UowFactory
from ogust.application.outbox import Effect, job_key
from ogust.domain.aggregate import Aggregate
from ogust.domain.client import Client
from ogust.domain.events import ClientTransmissionRequested, IntervenantSyncRequested
from ogust.domain.intervenant import Intervenant


@dataclass(frozen=True)
class SyncRequest:
    kind: str  # "intervenant" | "client"
    record_id: str
    label: str
    job_key: str | None  # None: the shop already has exactly this record


def _requested_key(record: Aggregate, kind: type, effect: Effect) -> str:
    """The job key of the request just recorded (before the commit pulls it)."""
    event = [e for e in record.peek_events() if isinstance(e, kind)][-1]
    return job_key(effect, event)


def _intervenant_request(intervenant: Intervenant, queued: bool) -> SyncRequest:
    key = _requested_key(intervenant, IntervenantSyncRequested, Effect.SYNC_INTERVENANT) if queued else None
    return SyncRequest("intervenant", intervenant.id, intervenant.full_name, key)


def _client_request(client: Client, queued: bool) -> SyncRequest:
    key = _requested_key(client, ClientTransmissionRequested, Effect.TRANSMIT_CLIENT) if queued else None
    return SyncRequest("client", client.id, client.full_name, key)


class SyncIntervenantHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: SyncIntervenant) -> SyncRequest:
        with self.uow() as uow:
            uow.companies.get(cmd.company_id).require_shop()
            intervenant = uow.intervenants.get(cmd.company_id, cmd.intervenant_id)
            request = _intervenant_request(intervenant, intervenant.request_sync(force=cmd.force))
            uow.commit()
            return request


class TransmitClientHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: TransmitClient) -> SyncRequest:
        with self.uow() as uow:
            uow.companies.get(cmd.company_id).require_shop()
            client = uow.clients.get(cmd.company_id, cmd.client_id)
            request = _client_request(client, client.request_transmission(force=cmd.force))
            uow.commit()
            return request


class ExportToShopHandler:
    """Queue every record that changed since it was last sent, in one transaction."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ExportToShop) -> list[SyncRequest]:
        wanted = set(cmd.ids)
        requests: list[SyncRequest] = []
        with self.uow() as uow:
            uow.companies.get(cmd.company_id).require_shop()
            if cmd.intervenants:
                for intervenant in uow.intervenants.list(cmd.company_id):
                    if wanted and intervenant.id not in wanted:
                        continue
                    requests.append(_intervenant_request(intervenant, intervenant.request_sync()))
            if cmd.clients:
                for client in uow.clients.list(cmd.company_id):
                    if (wanted and client.id not in wanted) or client.is_erased:  # the shop's copy is gone too
                        continue
                    requests.append(_client_request(client, client.request_transmission()))
            uow.commit()
        return requests
