"""The server's operations: tokens, the four calls, and the steps the admin routes play.
Every operation takes the store's lock: requests from FastAPI's thread pool see one state."""
from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ogust_urssaf.clock import ServerClock
from ogust_urssaf.demande_checks import content_errors, day_of, parse_instant, shape_errors
from ogust_urssaf.errors import ApiRefusal, Erreur, OAuthRefusal
from ogust_urssaf.lifecycle import Demande
from ogust_urssaf.particulier_checks import registration_errors
from ogust_urssaf.store import Link, Person, Store, Tiers, Token

SCOPE = "homeplus.tiersprestations"
MAX_PER_CALL = 10
PARIS = ZoneInfo("Europe/Paris")


class UrssafService:
    def __init__(self, store: Store, clock: ServerClock, token_lifetime: int = 3600,
                 integration_delay: timedelta = timedelta(minutes=1)) -> None:
        self.store = store
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.integration_delay = integration_delay

    def today(self) -> date:
        """URSSAF's day: the server's clock in Paris."""
        return self.clock.now().astimezone(PARIS).date()

    # ------------------------------------------------------------ OAuth2 client credentials
    def issue_token(self, form: Mapping[str, str]) -> dict[str, object]:
        if form.get("grant_type") != "client_credentials":
            raise OAuthRefusal(400, "unsupported_grant_type", "Seul grant_type=client_credentials est accepté.")
        with self.store.lock:
            tiers = self.store.tiers.get(form.get("client_id") or "")
            secret = (form.get("client_secret") or "").encode()
            if tiers is None or not hmac.compare_digest(secret, tiers.client_secret.encode()):
                raise OAuthRefusal(401, "invalid_client", "Identifiants client inconnus.")
            if form.get("scope") != SCOPE:
                raise OAuthRefusal(400, "invalid_scope", f"Portée attendue : {SCOPE}.")
            now = self.clock.now()
            self.store.tokens = {value: token for value, token in self.store.tokens.items() if token.expires_at > now}
            value = secrets.token_urlsafe(32)
            self.store.tokens[value] = Token(value, tiers.client_id, now + timedelta(seconds=self.token_lifetime))
        return {"access_token": value, "token_type": "Bearer", "expires_in": self.token_lifetime, "scope": SCOPE}

    def tiers_for(self, authorization: str) -> Tiers:
        scheme, _, value = authorization.partition(" ")
        with self.store.lock:
            token = self.store.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                raise OAuthRefusal(401, "invalid_token", "Jeton d'accès absent ou inconnu.")
            if token.expires_at <= self.clock.now():
                raise OAuthRefusal(401, "invalid_token", "Jeton d'accès expiré.")
            return self.store.tiers[token.client_id]

    # ------------------------------------------------------------ POST / GET /particulier
    def register(self, tiers: Tiers, body: object) -> dict[str, str]:
        errors = registration_errors(body, self.today())
        if errors:
            raise ApiRefusal(400, errors)
        assert isinstance(body, dict)
        identity = (body["nomNaissance"].strip().upper(), body["prenoms"].strip().upper(), body["dateNaissance"][:10])
        with self.store.lock:
            person = self.store.person_by_identity(identity)
            if person is None:
                born = day_of(body["dateNaissance"])
                assert born is not None
                person = Person(str(uuid.uuid4()), identity, born, body)
                self.store.persons[person.id_client] = person
            if (tiers.client_id, person.id_client) in self.store.links:
                raise ApiRefusal(400, [Erreur("ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE")])
            self.store.links[(tiers.client_id, person.id_client)] = Link(tiers.client_id, person.id_client)
            return {"idClient": person.id_client}

    def client_status(self, tiers: Tiers, id_client: str) -> dict[str, str]:
        with self.store.lock:
            link = self.store.links.get((tiers.client_id, id_client))
            if link is None:
                raise ApiRefusal(404, [Erreur("ERR_RECHERCHE_PARTICULIER", f"idClient {id_client[:64]}")])
            return {"idClient": id_client, "statutCode": self.store.account_status(link)}

    # ------------------------------------------------------------ POST /demandePaiement
    def submit(self, tiers: Tiers, body: object) -> list[dict[str, object]]:
        if not isinstance(body, list) or not body:
            raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "Le corps est une liste de demandes de paiement.")])
        if len(body) > MAX_PER_CALL:
            raise ApiRefusal(400, [Erreur("ERR_NBRE_PREST_MAX", f"{len(body)} demandes pour {MAX_PER_CALL} au plus.")])
        answers = []
        with self.store.lock:
            in_this_call: set[str] = set()
            for item in body:
                errors = self._refusals(tiers, item, in_this_call)
                answer: dict[str, object] = {key: item[key] for key in ("idClient", "numFactureTiers")
                                             if isinstance(item, dict) and isinstance(item.get(key), str)}
                if errors:
                    answers.append({**answer, "errors": [error.as_json() for error in errors]})
                    continue
                demande = Demande(str(uuid.uuid4()), tiers.client_id, item["idClient"], item, self.clock.now(),
                                  self.integration_delay)
                self.store.demandes[demande.id] = demande
                tiers.invoice_numbers.add(demande.invoice_number)
                in_this_call.add(demande.invoice_number)
                answers.append({**answer, "idDemandePaiement": demande.id, "statut": demande.status})
        return answers

    def _refusals(self, tiers: Tiers, item: object, in_this_call: set[str]) -> list[Erreur]:
        errors = shape_errors(item)
        if errors:
            return errors
        assert isinstance(item, dict)
        person = self.store.persons.get(item["idClient"])
        if person is None or person.birth_day != day_of(item["dateNaissanceClient"]):
            errors.append(Erreur("ERR_PARTICULIER_INCONNU"))
        else:
            link = self.store.links.get((tiers.client_id, person.id_client))
            if person.blocked:
                errors.append(Erreur("ERR_CMPT_BLOQUE"))
            elif person.mandate_expired:
                errors.append(Erreur("ERR_MANDAT_ECHU"))
            elif link is None or link.status != "APPAREILLAGE_VALIDE" or link.activated_at is None:
                errors.append(Erreur("ERR_LIEN_PARTICULIER_PRESTATAIRE", "Le particulier n'a pas activé son compte."))
            else:
                start = day_of(item["dateDebutEmploi"])
                if start is not None and start < link.activated_at.astimezone(PARIS).date():
                    errors.append(Erreur("ERR_LIEN_PARTICULIER_PRESTATAIRE",
                                         f"Période d'emploi avant l'activation du {link.activated_at.date()}."))
        errors += content_errors(item, self.today(), tiers.natures)
        number = item["numFactureTiers"]
        if number in tiers.invoice_numbers or number in in_this_call:
            errors.append(Erreur("ERR_FACTURE_DOUBLON", f"Facture {number}."))
        return errors

    # ------------------------------------------------------------ POST /demandePaiement/rechercher
    def search(self, tiers: Tiers, body: object) -> dict[str, object]:
        if not isinstance(body, dict):
            raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "Le corps est un objet JSON.")])
        ids, start, end = body.get("idDemandePaiements"), body.get("dateDebut"), body.get("dateFin")
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) for i in ids)):
            raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "idDemandePaiements : liste d'identifiants.")])
        with self.store.lock:
            if ids:
                if len(ids) > MAX_PER_CALL:
                    raise ApiRefusal(400, [Erreur("ERR_NBRE_MAX_RESULTAT", f"{len(ids)} identifiants.")])
                found = [self.store.demandes.get(i) for i in dict.fromkeys(ids)]
                chosen = [d for d in found if d is not None and d.tiers == tiers.client_id]
            elif start is None and end is None:
                raise ApiRefusal(400, [Erreur("ERR_CRITERE_RECHERCHE_VIDE")])
            else:
                first, last = parse_instant(start), parse_instant(end)
                if first is None or last is None:
                    raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "dateDebut et dateFin : dates ISO 8601.")])
                chosen = sorted((d for d in self.store.demandes.values() if d.tiers == tiers.client_id
                                 and first.date() <= d.invoice_day <= last.date()), key=lambda d: d.received_at)
                if len(chosen) > MAX_PER_CALL:
                    raise ApiRefusal(400, [Erreur("ERR_NBRE_MAX_RESULTAT", f"{len(chosen)} demandes.")])
            if not chosen:
                raise ApiRefusal(404, [Erreur("ERR_RECHERCHE_VIDE")])
            now = self.clock.now()
            for demande in chosen:
                demande.settle(now)
            return {"infoDemandePaiements": [demande.as_info() for demande in chosen]}
