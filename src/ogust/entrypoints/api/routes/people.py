"""Intervenants and clients, their planning, and sending them to the shop."""

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from ogust.application import commands as c
from ogust.application.gdpr import ClientDataExport, EraseClient, EraseClientHandler
from ogust.application.handlers import people
from ogust.application.queries import Queries
from ogust.application.shop_sync_service import ShopSyncService
from ogust.domain.intervenant import ShopProfile
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import merge_patch
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.references import ClientId, IntervenantId
from ogust.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    AwareDatetime,
    ClientIn,
    ClientPatch,
    ExportIn,
    IntervenantIn,
    IntervenantPatch,
    ProfileIn,
    ProfilePatch,
)
from ogust.entrypoints.container import Container
from ogust.entrypoints.gdpr_export import client_data_zip, export_filename

router = APIRouter(responses=PROBLEM_RESPONSES)


def _profile(body: ProfileIn) -> ShopProfile:
    return ShopProfile(body.presentation, tuple(body.services), tuple(body.zones), tuple(body.skills))


@router.post("/intervenants", status_code=status.HTTP_201_CREATED, response_model=out.Intervenant,
             tags=["Intervenants"])
@inject
def create_intervenant(body: IntervenantIn, company: str = Depends(company_id),
                       handler: people.CreateIntervenantHandler = Depends(
                           Provide[Container.create_intervenant])) -> dict:
    return s.intervenant(handler(c.CreateIntervenant(company, body.first_name, body.last_name, body.matricule,
                                                     body.email or "", body.phone, _profile(body.profile))))


@router.get("/intervenants", response_model=list[out.Intervenant], tags=["Intervenants"])
@inject
def list_intervenants(company: str = Depends(company_id),
                      queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.intervenant(i) for i in queries.intervenants(company)]


@router.get("/intervenants/{ref}", response_model=out.Intervenant, tags=["Intervenants"],
            summary="Un intervenant, par matricule ou id")
@inject
def get_intervenant(intervenant_id: IntervenantId, company: str = Depends(company_id),
                    queries: Queries = Depends(Provide[Container.queries])) -> dict:
    return s.intervenant(queries.intervenant(company, intervenant_id))


@router.patch("/intervenants/{ref}", response_model=out.Intervenant, tags=["Intervenants"],
              summary="Modifier un intervenant", description=merge_patch.SEMANTICS,
              openapi_extra=merge_patch.openapi(IntervenantPatch))
@inject
def update_intervenant(intervenant_id: IntervenantId, body: IntervenantPatch, company: str = Depends(company_id),
                       handler: people.UpdateIntervenantHandler = Depends(
                           Provide[Container.update_intervenant])) -> dict:
    changes = merge_patch.members(body)
    profile_changes: dict[str, object] = {}
    if "profile" in changes:
        profile = changes.pop("profile")  # null: every field of the profile cleared
        profile_changes = (merge_patch.members(profile) if profile is not None
                           else dict.fromkeys(ProfilePatch.model_fields))
    for cleared in ("email", "phone"):  # null: no email, no phone
        if cleared in changes and changes[cleared] is None:
            changes[cleared] = ""
    return s.intervenant(handler(c.UpdateIntervenant(company, intervenant_id, tuple(changes.items()),
                                                     tuple(profile_changes.items()))))


@router.post("/intervenants/{ref}/sync", response_model=out.SyncReport, tags=["Boutique"],
             summary="Synchroniser l'intervenant",
             description="Envoie la fiche (profil et compétences) à la boutique et rend le résultat.")
@inject
def sync_intervenant(intervenant_id: IntervenantId, force: bool = False, company: str = Depends(company_id),
                     service: ShopSyncService = Depends(Provide[Container.shop_sync])) -> dict:
    return s.report(service.sync_intervenant(c.SyncIntervenant(company, intervenant_id, force), timeout=20))


@router.get("/intervenants/{ref}/planning", response_model=list[out.Intervention], tags=["Planning"])
@inject
def planning(intervenant_id: IntervenantId, start: AwareDatetime | None = Query(None, alias="from"),
             end: AwareDatetime | None = Query(None, alias="to"), company: str = Depends(company_id),
             queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.intervention(i) for i in queries.planning(company, intervenant_id, start, end)]


@router.post("/clients", status_code=status.HTTP_201_CREATED, response_model=out.Client, tags=["Clients"])
@inject
def create_client(body: ClientIn, company: str = Depends(company_id),
                  handler: people.CreateClientHandler = Depends(Provide[Container.create_client])) -> dict:
    return s.client(handler(c.CreateClient(company, body.first_name, body.last_name, body.email,
                                           body.address.to_domain(), body.phone)))


@router.get("/clients", response_model=list[out.Client], tags=["Clients"])
@inject
def list_clients(company: str = Depends(company_id),
                 queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.client(client) for client in queries.clients(company)]


@router.get("/clients/{ref}", response_model=out.Client, tags=["Clients"], summary="Un client, par email ou id")
@inject
def get_client(client_id: ClientId, company: str = Depends(company_id),
               queries: Queries = Depends(Provide[Container.queries])) -> dict:
    return s.client(queries.client(company, client_id))


@router.patch("/clients/{ref}", response_model=out.Client, tags=["Clients"],
              summary="Modifier un client", description=merge_patch.SEMANTICS,
              openapi_extra=merge_patch.openapi(ClientPatch))
@inject
def update_client(client_id: ClientId, body: ClientPatch, company: str = Depends(company_id),
                  handler: people.UpdateClientHandler = Depends(Provide[Container.update_client])) -> dict:
    changes = merge_patch.members(body)
    address = changes.pop("address", None)  # never null: the schema refuses it
    if changes.get("phone", "") is None:
        changes["phone"] = ""
    address_changes = merge_patch.members(address) if address is not None else {}
    return s.client(handler(c.UpdateClient(company, client_id, tuple(changes.items()),
                                           tuple(address_changes.items()))))


@router.post("/clients/{ref}/transmit", response_model=out.SyncReport, tags=["Boutique"],
             summary="Transmettre le client à la boutique")
@inject
def transmit_client(client_id: ClientId, force: bool = False, company: str = Depends(company_id),
                    service: ShopSyncService = Depends(Provide[Container.shop_sync])) -> dict:
    return s.report(service.transmit_client(c.TransmitClient(company, client_id, force), timeout=20))


@router.post("/shop/export", response_model=out.ExportReport, tags=["Boutique"], summary="Transmettre en lot",
             description="Envoie les clients et intervenants modifiés depuis le dernier envoi ; rapport par fiche.")
@inject
def export(body: ExportIn, company: str = Depends(company_id),
           service: ShopSyncService = Depends(Provide[Container.shop_sync])) -> dict:
    reports = service.export(c.ExportToShop(company, body.clients, body.intervenants, tuple(body.ids)), timeout=120)
    summary: dict[str, int] = {}
    for r in reports:
        summary[r.outcome] = summary.get(r.outcome, 0) + 1
    return {"summary": summary, "records": [s.report(r) for r in reports]}


@router.get("/clients/{ref}/export", tags=["Clients"], summary="Exporter les données du client (RGPD)",
            description="Un zip : client.json (fiche, devis, interventions, factures, paiements, attestations, "
                        "avoirs, emails envoyés) et chaque document en PDF.",
            response_class=Response,
            responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "Les données du client, en zip"}})
@inject
def export_client(client_id: ClientId, company: str = Depends(company_id),
                  export: ClientDataExport = Depends(Provide[Container.export_client_data])) -> Response:
    data = export(company, client_id)
    return Response(client_data_zip(data), media_type="application/zip",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="{export_filename(data)}"'})


@router.delete("/clients/{ref}", response_model=out.Client, tags=["Clients"], summary="Effacer le client (RGPD)",
               description="Fiche anonymisée (noms, email, téléphone, adresse, identifiants boutique et Stripe), "
                           "carte détachée et client supprimé chez Stripe, copie du client effacée à la "
                           "boutique par la file "
                           "d'effets ; les factures, avoirs et attestations "
                           "restent (conservation légale de 10 ans, art. L123-22 du Code de commerce).")
@inject
def erase_client(client_id: ClientId, company: str = Depends(company_id),
                 handler: EraseClientHandler = Depends(Provide[Container.erase_client])) -> dict:
    return s.client(handler(EraseClient(company, client_id)))
