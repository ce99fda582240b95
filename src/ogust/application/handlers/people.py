"""Intervenants and clients: create and update in the back office."""
from __future__ import annotations

from ogust.application.commands import CreateClient, CreateIntervenant, UpdateClient, UpdateIntervenant
from ogust.application.handlers import UowFactory
from ogust.domain.client import Client
from ogust.domain.errors import AlreadyExists
from ogust.domain.intervenant import Intervenant


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
        with self.uow() as uow:
            uow.companies.get(cmd.company_id)
            if uow.clients.by_email(cmd.company_id, cmd.email.strip().lower()):
                raise AlreadyExists(f"Un client a déjà l'adresse {cmd.email}.", email=cmd.email)
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
        with self.uow() as uow:
            client = uow.clients.get(cmd.company_id, cmd.client_id)
            changes = dict(cmd.changes)
            if cmd.address_changes:
                changes["address"] = changes.get("address", client.address).patched(dict(cmd.address_changes))
            if "email" in changes:
                other = uow.clients.by_email(cmd.company_id, str(changes["email"]).strip().lower())
                if other and other.id != client.id:
                    raise AlreadyExists(f"Un client a déjà l'adresse {changes['email']}.", email=changes["email"])
            client.update(**changes)
            uow.commit()
            return client
