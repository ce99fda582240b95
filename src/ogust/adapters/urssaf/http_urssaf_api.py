"""HttpUrssafApi: the UrssafApi port over URSSAF's HTTP API (docs/urssaf-tiers-prestation.openapi.yaml).

- OAuth2 client credentials; one token per company's credentials, cached, renewed ``renew_margin``
  seconds before it expires by our own clock, and once more when URSSAF answers 401 anyway
  (its clock, a revoked token).
- Temporary failures (timeout, connection error, 5xx, 429, an unreadable answer) raise
  UrssafUnavailable; refusals (4xx) raise UrssafRejected with URSSAF's codes, told in French.
- Nothing is retried here: sending a payment request twice is not harmless, so the caller
  decides, and a retry that meets ERR_FACTURE_DOUBLON knows the first one was received.
- Secrets (client secret, tokens) never reach a log line, a repr or an exception text.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx

from ogust.adapters.urssaf import payloads
from ogust.adapters.urssaf.messages import explain
from ogust.application.ports import (
    UrssafClientRegistration,
    UrssafClientStatus,
    UrssafCredentials,
    UrssafPaymentRequest,
    UrssafPaymentRequestState,
    UrssafRejected,
    UrssafUnavailable,
)

log = logging.getLogger(__name__)
SCOPE = "homeplus.tiersprestations"
TOKEN_PATH = "/api/oauth/v1/token"
BASE = "/atp/v1/tiersPrestations"
IDS_PER_SEARCH = 10


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float  # on our monotonic clock

    def __repr__(self) -> str:
        return "_Token(***)"


class HttpUrssafApi:
    def __init__(self, timeout: float = 10.0, renew_margin: float = 60.0,
                 transport: httpx.BaseTransport | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                    headers={"Accept": "application/json"})
        self._renew_margin = renew_margin
        self._monotonic = monotonic
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpUrssafApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HttpUrssafApi(tokens_cached={len(self._tokens)})"

    # ------------------------------------------------------------ UrssafApi
    def register_client(self, credentials: UrssafCredentials, registration: UrssafClientRegistration) -> str:
        answer = self._json(self._call(credentials, "POST", f"{BASE}/particulier", payloads.registration(registration)))
        if not isinstance(answer, dict) or not isinstance(answer.get("idClient"), str) or not answer["idClient"]:
            raise UrssafUnavailable("Réponse d'URSSAF illisible à l'inscription du client (pas d'idClient).")
        return answer["idClient"]

    def client_status(self, credentials: UrssafCredentials, urssaf_client_id: str) -> UrssafClientStatus:
        response = self._call(credentials, "GET", f"{BASE}/particulier", params={"idClient": urssaf_client_id})
        answer = self._json(response)
        try:
            return UrssafClientStatus(answer["statutCode"])
        except (KeyError, TypeError, ValueError):
            raise UrssafUnavailable("Réponse d'URSSAF illisible sur le statut du client.") from None

    def submit_payment_request(self, credentials: UrssafCredentials, request: UrssafPaymentRequest) -> str:
        answer = self._json(self._call(credentials, "POST", f"{BASE}/demandePaiement",
                                       [payloads.payment_request(request)]))
        entry = answer[0] if isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], dict) else None
        if entry is None:
            raise UrssafUnavailable("Réponse d'URSSAF illisible à l'envoi de la demande de paiement.")
        if entry.get("errors"):
            raise _rejection(f"la demande de paiement de la facture {request.invoice_number}", entry["errors"])
        if not isinstance(entry.get("idDemandePaiement"), str) or not entry["idDemandePaiement"]:
            raise UrssafUnavailable("Réponse d'URSSAF sans identifiant de demande de paiement.")
        return entry["idDemandePaiement"]

    def payment_requests(self, credentials: UrssafCredentials,
                         request_ids: Sequence[str]) -> list[UrssafPaymentRequestState]:
        ids = list(dict.fromkeys(request_ids))
        states: list[UrssafPaymentRequestState] = []
        for start in range(0, len(ids), IDS_PER_SEARCH):
            states += self._search(credentials, {"idDemandePaiements": ids[start:start + IDS_PER_SEARCH]})
        return states

    def payment_requests_invoiced(self, credentials: UrssafCredentials, first_day: date,
                                  last_day: date) -> list[UrssafPaymentRequestState]:
        """URSSAF answers ten requests at most (ERR_NBRE_MAX_RESULTAT beyond): the period is halved
        until each half fits. More than ten invoiced the same day cannot be listed this way."""
        try:
            return self._search(credentials, {"dateDebut": payloads.instant(first_day),
                                              "dateFin": payloads.instant(last_day)})
        except UrssafRejected as refusal:
            if refusal.code != "ERR_NBRE_MAX_RESULTAT" or first_day >= last_day:
                raise
        middle = first_day + (last_day - first_day) // 2
        return (self.payment_requests_invoiced(credentials, first_day, middle)
                + self.payment_requests_invoiced(credentials, middle + timedelta(days=1), last_day))

    def _search(self, credentials: UrssafCredentials, criteria: dict) -> list[UrssafPaymentRequestState]:
        try:
            response = self._call(credentials, "POST", f"{BASE}/demandePaiement/rechercher", criteria)
        except UrssafRejected as refusal:
            if refusal.code == "ERR_RECHERCHE_VIDE":
                return []
            raise
        answer = self._json(response)
        try:
            return [payloads.state(info) for info in answer["infoDemandePaiements"]]
        except (KeyError, TypeError, ValueError) as error:
            unreadable = f"Réponse d'URSSAF illisible sur les demandes de paiement ({type(error).__name__})."
            raise UrssafUnavailable(unreadable) from None

    # ------------------------------------------------------------ HTTP and the token
    def _call(self, credentials: UrssafCredentials, method: str, path: str, body: object = None,
              params: dict[str, str] | None = None) -> httpx.Response:
        token = self._token(credentials)
        response = self._send(credentials, method, path, token, body, params)
        if response.status_code == 401:
            log.info("URSSAF : jeton refusé pour %r, renouvelé une fois", credentials)
            token = self._token(credentials, refused=token)
            response = self._send(credentials, method, path, token, body, params)
        if response.status_code >= 400:
            raise _failure(response, f"{method} {path}")
        return response

    def _send(self, credentials: UrssafCredentials, method: str, path: str, token: _Token, body: object,
              params: dict[str, str] | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token.value}"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, default=_number, ensure_ascii=False).encode("utf-8")
        return self._transport(lambda: self._client.request(method, _url(credentials, path), headers=headers,
                                                              content=content, params=params), f"{method} {path}")

    def _token(self, credentials: UrssafCredentials, refused: _Token | None = None) -> _Token:
        secret_digest = hashlib.sha256(credentials.client_secret.encode()).hexdigest()
        key = (credentials.base_url, credentials.client_id, secret_digest)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached is not refused and self._monotonic() < cached.renew_at:
                return cached
            self._tokens.pop(key, None)
            asked_at = self._monotonic()
            response = self._transport(lambda: self._client.post(_url(credentials, TOKEN_PATH), data={
                "grant_type": "client_credentials", "client_id": credentials.client_id,
                "client_secret": credentials.client_secret, "scope": SCOPE}), "jeton")
            if response.status_code >= 400:
                raise _failure(response, "jeton")
            answer = self._json(response)
            value, lifetime = (answer.get("access_token"), answer.get("expires_in")) if isinstance(answer, dict) \
                else (None, None)
            if not isinstance(value, str) or not value or isinstance(lifetime, bool) \
                    or not isinstance(lifetime, int | Decimal) or lifetime <= 0:
                raise UrssafUnavailable("Réponse d'URSSAF illisible à la demande de jeton.")
            token = _Token(value, asked_at + max(float(lifetime) - self._renew_margin, 0.0))
            self._tokens[key] = token
            log.info("URSSAF : jeton obtenu pour %r, valable %s s", credentials, lifetime)
            return token

    @staticmethod
    def _transport(send: Callable[[], httpx.Response], what: str) -> httpx.Response:
        try:
            return send()
        except httpx.TimeoutException:
            raise UrssafUnavailable(f"URSSAF n'a pas répondu à temps ({what}).") from None
        except httpx.RequestError as error:  # connection refused or reset, protocol, decoding…
            raise UrssafUnavailable(f"URSSAF injoignable ({what} : {type(error).__name__}).") from None

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return json.loads(response.content, parse_float=Decimal)
        except (ValueError, RecursionError):
            raise UrssafUnavailable(f"Réponse d'URSSAF qui n'est pas du JSON (HTTP {response.status_code}).") from None


def _url(credentials: UrssafCredentials, path: str) -> str:
    return credentials.base_url.rstrip("/") + path


def _number(value: object) -> float:
    """Decimals as JSON numbers: amounts below 10^12 with three decimals at most print back exactly."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _failure(response: httpx.Response, what: str) -> Exception:
    status = response.status_code
    if status >= 500 or status == 429:
        return UrssafUnavailable(f"URSSAF indisponible (HTTP {status}, {what}).")
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):  # OAuth: RFC 6749 / 6750
        code = body["error"][:60]
        return UrssafRejected(f"URSSAF a refusé l'accès (HTTP {status}) : {explain(code)}", code)
    if isinstance(body, list) and body:
        return _rejection(f"l'appel {what} (HTTP {status})", body)
    return UrssafRejected(f"URSSAF a refusé l'appel {what} (HTTP {status}) sans détail.", f"HTTP_{status}")


def _rejection(what: str, errors: list) -> UrssafRejected:
    entries = [error for error in errors if isinstance(error, dict) and isinstance(error.get("code"), str)]
    if not entries:
        return UrssafRejected(f"URSSAF a refusé {what} sans détail.", "ERR_INCONNUE")
    codes = tuple(entry["code"][:80] for entry in entries)
    reasons = "; ".join(explain(entry["code"][:80], str(entry.get("description") or entry.get("message") or ""))
                        for entry in entries)
    return UrssafRejected(f"URSSAF a refusé {what} : {reasons}", codes[0], codes)
