"""Attestations fiscales: generated from what a client paid in a year, then validated."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ogust.application.commands import GenerateAttestation, GenerateAttestations, ValidateAttestation
from ogust.application.handlers import UowFactory
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.attestation import Attestation, AttestationStatus, summarise_year
from ogust.domain.errors import DomainError, InvalidTransition, InvalidValue


def _generate(uow: UnitOfWork, company_id: str, client_id: str, year: int) -> Attestation:
    if not 2000 <= year <= 2100:
        raise InvalidValue(f"Année invalide : {year}", field="year")
    uow.clients.get(company_id, client_id)
    zone = ZoneInfo(uow.companies.get(company_id).timezone)
    pairs = [(p, uow.invoices.get(company_id, p.invoice_id)) for p in uow.payments.for_client(company_id, client_id)]
    amount, lines = summarise_year(year, pairs, lambda p: p.received_at.astimezone(zone).year == year)
    attestation = uow.attestations.for_client_year(company_id, client_id, year)
    if attestation is None:
        attestation = Attestation(company_id=company_id, client_id=client_id, year=year, amount_paid=amount,
                                  lines=lines, created_at=uow.clock.now())
        uow.attestations.add(attestation)
    elif attestation.status is AttestationStatus.VALIDATED:
        raise InvalidTransition(
            f"L'attestation {attestation.number} de {year} est déjà validée.", attestation_id=attestation.id
        )
    else:
        attestation.recompute(amount, lines)
    return attestation


class GenerateAttestationHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: GenerateAttestation) -> Attestation:
        with self.uow() as uow:
            attestation = _generate(uow, cmd.company_id, cmd.client_id, cmd.year)
            uow.commit()
            return attestation


@dataclass(frozen=True)
class AttestationOutcome:
    client_id: str
    attestation_id: str | None
    error: str | None = None


class GenerateAttestationsHandler:
    """Every client paid in the year gets an attestation; one record's problem stops no other."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: GenerateAttestations, on_progress=None) -> list[AttestationOutcome]:
        with self.uow() as uow:
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            start = datetime(cmd.year, 1, 1, tzinfo=zone)
            end = datetime(cmd.year + 1, 1, 1, tzinfo=zone)
            client_ids = uow.payments.clients_paid_between(cmd.company_id, start, end)
        outcomes = []
        for client_id in client_ids:
            try:
                with self.uow() as uow:
                    attestation = _generate(uow, cmd.company_id, client_id, cmd.year)
                    uow.commit()
                    outcomes.append(AttestationOutcome(client_id, attestation.id))
            except DomainError as error:
                outcomes.append(AttestationOutcome(client_id, None, error.message))
            if on_progress:
                on_progress(1)
        return outcomes


class ValidateAttestationHandler:
    """Number and freeze the attestation; the outbox publishes it to the shop and emails the client."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ValidateAttestation) -> Attestation:
        with self.uow() as uow:
            attestation = uow.attestations.get(cmd.company_id, cmd.attestation_id)
            if attestation.status is not AttestationStatus.DRAFT:
                raise InvalidTransition(f"L'attestation {attestation.number} est déjà validée.")
            number = uow.sequences.next_number(cmd.company_id, "AF", attestation.year)
            attestation.validate(number, uow.clock.now())
            uow.commit()
            return attestation
