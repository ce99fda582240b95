"""HttpShopApi: the ShopApi port over the shop's HTTP API (docs/shop-contract.openapi.yaml).

Timeouts, connection errors, 5xx and 429 are retried with exponential backoff, then raise
ShopUnavailable. Other 4xx are not retried: ShopRejected carries the shop's problem detail, and is a
ShopKeyRefused when the shop refuses the API key (401/403).
Every call is idempotent (PUT by id, bulk upserts by id, DELETE of a client that may already be
erased), so retrying is safe.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from urllib.parse import quote

import httpx

from ogust.application.ports import BulkOutcome, ShopDocument, ShopKeyRefused, ShopRejected, ShopUnavailable
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit

BULK_LIMIT = 500
RETRYABLE_STATUSES = frozenset({429})


class HttpShopApi:
    def __init__(self, base_url: str, api_key: str, timeout: float = 5.0, retries: int = 3,
                 backoff: float = 0.2, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 keys: Callable[[str], str | None] | None = None) -> None:
        """``retries`` more attempts after the first, waiting ``backoff``, then twice as long each time.
        Each account is called with its own key: ``keys(account_id)`` (the one the company linked
        with), else ``api_key`` (the installation's)."""
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            headers={"Accept": "application/json"},
        )
        self._default_key = api_key
        self._keys = keys
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpShopApi:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ ShopApi
    def account_exists(self, account_id: str, api_key: str | None = None) -> bool:
        """False on a 404 ``account_not_found``; any other 404 (a wrong base URL…) is a refusal."""
        response = self._send(account_id, "GET", _account(account_id), absent_ok=True, api_key=api_key)
        if response.status_code != 404:
            return True
        if _problem_code(response) != "account_not_found":
            raise ShopRejected(_reason(response))
        return False

    def list_services(self, account_id: str) -> list[ShopService]:
        listed = self._json(self._send(account_id, "GET", f"{_account(account_id)}/services"))
        try:
            return [_service(item) for item in listed]
        except (KeyError, TypeError, ValueError) as error:
            raise ShopRejected(f"Liste des services de la boutique illisible : {error!r}") from error

    def upsert_intervenant(self, account_id: str, fields: dict[str, object]) -> None:
        self._send(account_id, "PUT", f"{_account(account_id)}/intervenants/{_segment(fields['id'])}", fields)

    def upsert_client(self, account_id: str, fields: dict[str, object]) -> str:
        answer = self._json(self._send(account_id, "PUT", f"{_account(account_id)}/clients/{_segment(fields['id'])}",
                                       fields))
        if not isinstance(answer, dict) or not answer.get("shop_client_id"):
            raise ShopRejected("La boutique n'a pas renvoyé d'identifiant client (shop_client_id).")
        return str(answer["shop_client_id"])

    def publish_document(self, account_id: str, shop_client_id: str, document: ShopDocument) -> None:
        path = f"{_account(account_id)}/clients/{_segment(shop_client_id)}/documents/{_segment(document.id)}"
        self._send(account_id, "PUT", path, _document_body(document))

    def erase_client(self, account_id: str, client_id: str, shop_client_id: str | None = None) -> None:
        """DELETE: 204 also when the shop does not know the client or has already erased it."""
        path = f"{_account(account_id)}/clients/{_segment(client_id)}"
        if shop_client_id:
            path += f"?shop_client_id={_segment(shop_client_id)}"
        self._send(account_id, "DELETE", path)

    # ------------------------------------------------------------ batches
    def bulk_upsert_intervenants(self, account_id: str, records: Sequence[dict[str, object]]) -> list[BulkOutcome]:
        return self._bulk(account_id, "intervenants", records)

    def bulk_upsert_clients(self, account_id: str, records: Sequence[dict[str, object]]) -> list[BulkOutcome]:
        return self._bulk(account_id, "clients", records)

    def _bulk(self, account_id: str, collection: str, records: Sequence[dict[str, object]]) -> list[BulkOutcome]:
        """Sent in chunks of at most BULK_LIMIT records; one outcome per record, in order."""
        outcomes: list[BulkOutcome] = []
        for start in range(0, len(records), BULK_LIMIT):
            chunk = list(records[start:start + BULK_LIMIT])
            answer = self._json(self._send(account_id, "POST", f"{_account(account_id)}/{collection}:bulk", chunk))
            try:
                outcomes.extend(_outcome(result) for result in answer["results"])
            except (KeyError, TypeError) as error:
                raise ShopRejected(f"Réponse de la boutique illisible : {error!r}") from error
        return outcomes

    # ------------------------------------------------------------ transport
    def _key_for(self, account_id: str) -> str:
        return (self._keys(account_id) if self._keys else None) or self._default_key

    def _send(self, account_id: str, method: str, path: str, body: object = None, absent_ok: bool = False,
              api_key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {api_key or self._key_for(account_id)}"}
        failure = ""
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._client.request(method, path, json=body, headers=headers)
            except httpx.TransportError as error:
                failure = f"{type(error).__name__} {error}".strip()
                continue
            if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
                failure = f"HTTP {response.status_code}"
                continue
            if response.status_code in (401, 403):
                raise ShopKeyRefused(_reason(response))
            if response.status_code >= 400 and not (absent_ok and response.status_code == 404):
                raise ShopRejected(_reason(response))
            return response
        raise ShopUnavailable(f"Boutique indisponible après {self._retries + 1} tentatives ({failure}).")

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return response.json()
        except ValueError as error:
            raise ShopRejected(f"Réponse de la boutique illisible (HTTP {response.status_code}).") from error


def _account(account_id: str) -> str:
    return f"/api/accounts/{_segment(account_id)}"


def _segment(value: object) -> str:
    return quote(str(value), safe="")


def _service(item: dict) -> ShopService:
    cents = item["price_ttc_cents"]
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise ValueError(f"price_ttc_cents {cents!r} is not an integer")
    return ShopService(id=str(item["id"]), label=str(item["label"]), price_ttc=Money(cents),
                       vat_rate=VatRate.from_percent(item["vat_rate"]), unit=Unit(item["unit"]))


def _document_body(document: ShopDocument) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": document.kind, "number": document.number, "issued_on": document.issued_on,
        "amount_ttc_cents": document.amount_ttc_cents, "status": document.status,
        "download_url": document.download_url, "title": document.title}
    if document.left_to_pay_cents is not None:
        body["left_to_pay_cents"] = document.left_to_pay_cents
    return body


def _outcome(result: dict) -> BulkOutcome:
    ok = result.get("status") == "ok"
    error = result.get("error") or {}
    return BulkOutcome(id=result.get("id"), ok=ok, shop_client_id=result.get("shop_client_id"),
                       reason="" if ok else _problem_text(error, "fiche refusée"))


def _reason(response: httpx.Response) -> str:
    """The shop's own words (problem detail), for the operator."""
    text = response.text.strip()[:200] or response.reason_phrase or "refus"
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        text = _problem_text(problem, text)
    return f"{text} (HTTP {response.status_code})"


def _problem_code(response: httpx.Response) -> str | None:
    try:
        problem = response.json()
    except ValueError:
        return None
    return problem.get("code") if isinstance(problem, dict) else None


def _problem_text(problem: dict, fallback: str) -> str:
    return str(problem.get("detail") or problem.get("title") or fallback)
