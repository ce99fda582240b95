"""``/_admin``: arrange and drive the reference server — tiers accounts, the clock, and the steps
the client (validate, contest, bounce) and URSSAF's back office (debit, transfer, recovery,
cancellation) take. Unauthenticated, like the reference shop's: a test and demo tool only."""
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ogust_urssaf.errors import ApiRefusal, Erreur
from ogust_urssaf.http import UrssafJSON
from ogust_urssaf.lifecycle import Demande, TransitionRefused
from ogust_urssaf.service import UrssafService
from ogust_urssaf.store import Person, Tiers

router = APIRouter(prefix="/_admin", default_response_class=UrssafJSON)


class NewTiers(BaseModel):
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(min_length=1, max_length=200)
    name: str = Field("Tiers de prestation", max_length=200)
    natures: list[str] | None = None


class ClockSetting(BaseModel):
    now: datetime | None = None
    advance_seconds: float | None = Field(None, ge=0, le=10 * 366 * 86400)


class Reason(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    commentaire: str = Field("", max_length=500)


def service_of(request: Request) -> UrssafService:
    return request.app.state.service


def _missing(what: str) -> ApiRefusal:
    return ApiRefusal(404, [Erreur("ERR_RECHERCHE_VIDE", f"{what} inconnu.")])


def _conflict(error: Exception) -> ApiRefusal:
    return ApiRefusal(409, [Erreur("TRANSITION_REFUSEE", str(error))])


@router.post("/tiers", status_code=201)
def create_tiers(body: NewTiers, request: Request) -> Response:
    store = service_of(request).store
    with store.lock:
        if body.client_id in store.tiers:
            raise ApiRefusal(409, [Erreur("TIERS_EXISTANT", f"Le tiers {body.client_id} existe déjà.")])
        natures = frozenset(body.natures) if body.natures is not None else None
        store.tiers[body.client_id] = Tiers(body.client_id, body.client_secret, body.name, natures)
    return UrssafJSON({"client_id": body.client_id, "name": body.name}, status_code=201)


@router.get("/tiers/{client_id}")
def tiers(client_id: str, request: Request) -> Response:
    service = service_of(request)
    with service.store.lock:
        found = service.store.tiers.get(client_id)
        if found is None:
            raise _missing(f"Tiers {client_id}")
        now = service.clock.now()
        demandes = [d for d in service.store.demandes.values() if d.tiers == client_id]
        for demande in demandes:
            demande.settle(now)
        links = [link for link in service.store.links.values() if link.tiers == client_id]
        return UrssafJSON({
            "client_id": client_id, "name": found.name,
            "particuliers": [{"idClient": link.id_client, "statutCode": service.store.account_status(link)}
                             for link in links],
            "demandes": [_demande(d) for d in demandes],
        })


@router.get("/clock")
def clock(request: Request) -> Response:
    return UrssafJSON({"now": service_of(request).clock.now().isoformat()})


@router.post("/clock")
def move_clock(body: ClockSetting, request: Request) -> Response:
    """``{"now": instant}`` sets the clock, ``{"advance_seconds": n}`` moves it forward."""
    clock_ = service_of(request).clock
    try:
        if body.now is not None:
            clock_.set(body.now)
        if body.advance_seconds is not None:
            clock_.advance(timedelta(seconds=body.advance_seconds))
    except ValueError as error:
        raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", str(error))]) from None
    return UrssafJSON({"now": clock_.now().isoformat()})


# ---------------------------------------------------------------- the client's account
@router.post("/tiers/{client_id}/particuliers/{id_client}/{step}")
def pairing_step(client_id: str, id_client: str, step: str, request: Request) -> Response:
    """``activate`` (the client activates the account: APPAREILLAGE_VALIDE from now on) or
    ``abandon`` (the client never finishes: APPAREILLAGE_NF)."""
    service = service_of(request)
    with service.store.lock:
        link = service.store.links.get((client_id, id_client))
        if link is None:
            raise _missing(f"Lien {client_id} / {id_client}")
        if step == "activate":
            link.status, link.activated_at = "APPAREILLAGE_VALIDE", service.clock.now()
        elif step == "abandon":
            link.status, link.activated_at = "APPAREILLAGE_NF", None
        else:
            raise ApiRefusal(404, [Erreur("ERREUR_VALIDATION", "Étape : activate ou abandon.")])
        return UrssafJSON({"idClient": id_client, "statutCode": service.store.account_status(link)})


@router.post("/particuliers/{id_client}/{step}")
def account_step(id_client: str, step: str, request: Request) -> Response:
    """``block`` / ``unblock`` the account, ``expire-mandate`` / ``renew-mandate`` its SEPA mandate."""
    service = service_of(request)
    with service.store.lock:
        person: Person | None = service.store.persons.get(id_client)
        if person is None:
            raise _missing(f"Particulier {id_client}")
        changes = {"block": ("blocked", True), "unblock": ("blocked", False),
                   "expire-mandate": ("mandate_expired", True), "renew-mandate": ("mandate_expired", False)}
        if step not in changes:
            raise ApiRefusal(404, [Erreur("ERREUR_VALIDATION", f"Étape : {', '.join(changes)}.")])
        setattr(person, *changes[step])
        return UrssafJSON({"idClient": id_client, "blocked": person.blocked, "mandate_expired": person.mandate_expired})


# ---------------------------------------------------------------- a payment request's life
@router.get("/demandes/{demande_id}")
def demande(demande_id: str, request: Request) -> Response:
    service = service_of(request)
    with service.store.lock:
        found = service.store.demandes.get(demande_id)
        if found is None:
            raise _missing(f"Demande {demande_id}")
        found.settle(service.clock.now())
        return UrssafJSON(_demande(found))


@router.post("/demandes/{demande_id}/{step}")
def demande_step(demande_id: str, step: str, request: Request, reason: Reason | None = None) -> Response:
    """Client: ``validate``, ``contest`` (reason code CONTEST_*), ``bounce``. Back office: ``debit``,
    ``pay`` (the transfer), ``recover``, ``cancel`` (reason code ANNUL_*)."""
    service = service_of(request)
    with service.store.lock:
        found = service.store.demandes.get(demande_id)
        if found is None:
            raise _missing(f"Demande {demande_id}")
        now = service.clock.now()
        try:
            if step in ("contest", "cancel"):
                if reason is None:
                    raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "Motif attendu : {code, commentaire}.")])
                getattr(found, step)(now, reason.code, reason.commentaire)
            elif step in ("validate", "bounce", "debit", "pay", "recover"):
                getattr(found, step)(now)
            else:
                raise ApiRefusal(404, [Erreur("ERREUR_VALIDATION", f"Étape inconnue : {step}.")])
        except TransitionRefused as error:
            raise _conflict(error) from None
        if step == "bounce":  # URSSAF blocks the client's account after a refused debit
            service.store.persons[found.id_client].blocked = True
        return UrssafJSON(_demande(found))


def _demande(found: Demande) -> dict[str, object]:
    return {**found.as_info(), "history": [{"code": code, "at": at.isoformat()} for code, at in found.history]}
