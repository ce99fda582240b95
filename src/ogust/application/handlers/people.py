"""Intervenants and clients: create and update in the back office."""
from __future__ import annotations

from ogust.application.commands import CreateClient, CreateIntervenant, UpdateClient, UpdateIntervenant
from ogust.application.handlers import UowFactory, checked_again
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.client import Client
from ogust.domain.errors import AlreadyExists, ClientAlreadyExists
from ogust.domain.intervenant import Intervenant
from ogust.domain.validation import normalise_email


class CreateIntervenantHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: CreateIntervenant) -> Intervenant:
        with self.uow() as uow:
            uow.companies.get(cmd.company_id)
            if uow.intervenants.by_matricule(cmd.company_id, cmd.matricule):
                raise AlreadyExists(f"Le matricule {cmd.matricule} est déjà utilisé.", matricule=cmd.matricule)
            intervenant = Intervenant(
                company_id=cmd.company_id,
                first_name=cmd.first_name,
                last_name=cmd.last_name,
                matricule=cmd.matricule,
                email=cmd.email,
                phone=cmd.phone,
                profile=cmd.profile,
            )
            uow.intervenants.add(intervenant)
            uow.commit()
            return intervenant


class UpdateIntervenantHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: UpdateIntervenant) -> Intervenant:
        with self.uow() as uow:
            intervenant = uow.intervenants.get(cmd.company_id, cmd.intervenant_id)
            changes = dict(cmd.changes)
            if cmd.profile_changes:
                changes["profile"] = changes.get("profile", intervenant.profile).patched(dict(cmd.profile_changes))
            intervenant.update(**changes)
            uow.commit()
            return intervenant


class CreateClientHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: CreateClient) -> Client:
        # two creations with one address at once: the unique index refuses the second, whose check,
        # run again, names the client the first created
        return checked_again(lambda: self._create(cmd), ClientAlreadyExists)

    def _create(self, cmd: CreateClient) -> Client:
        with self.uow() as uow:
            uow.companies.get(cmd.company_id)
            _refuse_email_of_another(uow, cmd.company_id, cmd.email)
            client = Client(
                company_id=cmd.company_id,
                first_name=cmd.first_name,
                last_name=cmd.last_name,
                email=cmd.email,
                address=cmd.address,
                phone=cmd.phone,
            )
            uow.clients.add(client)
            uow.commit()
            return client


class UpdateClientHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: UpdateClient) -> Client:
        return checked_again(lambda: self._update(cmd), ClientAlreadyExists)

    def _update(self, cmd: UpdateClient) -> Client:
        with self.uow() as uow:
            client = uow.clients.get(cmd.company_id, cmd.client_id)
            changes = dict(cmd.changes)
            if cmd.address_changes:
                changes["address"] = changes.get("address", client.address).patched(dict(cmd.address_changes))
            if "email" in changes:
                _refuse_email_of_another(uow, cmd.company_id, str(changes["email"]), client.id)
            client.update(**changes)
            uow.commit()
            return client


def _refuse_email_of_another(uow: UnitOfWork, company_id: str, email: str, client_id: str | None = None) -> None:
    """One client per e-mail address in a company (the unique index uq_clients_company_id_email is the
    last word): the one who has it is named, to be used or changed instead."""
    other = uow.clients.by_email(company_id, normalise_email(email))
    if other is not None and other.id != client_id:
        raise ClientAlreadyExists(f"Le client {other.full_name} ({other.id}) a déjà l'adresse {other.email}.",
                                  client_id=other.id, email=other.email)
