"""Everything the shop knows, per account, in memory and optionally saved to a JSON file."""
from __future__ import annotations

import copy
import hmac
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def _new_account(settings: Record) -> Record:
    return {**settings, "intervenants": {}, "clients": {}, "documents": {}, "orders": {}}


class Store:
    """Accounts as plain JSON-ready dicts. Thread-safe; every change is saved when a path is given.

    An account holds its settings (name, api_key, webhook_url, webhook_secret, services) and what
    it received: intervenants by ogust id, clients by shop client id (with their ``ogust_id``;
    an erased one keeps only its ids and ``erased_at``), documents by shop client id then document
    id, and the orders it placed.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self._path = Path(path) if path else None
        self._lock = threading.RLock()
        self._accounts: dict[str, Record] = {}
        if self._path and self._path.exists():
            self._accounts = json.loads(self._path.read_text(encoding="utf-8"))

    # ------------------------------------------------------------ accounts
    def put_account(self, settings: Record) -> bool:
        """Create the account or replace its settings, keeping what it received. True if created."""
        with self._lock:
            existing = self._accounts.get(settings["id"])
            if existing is None:
                self._accounts[settings["id"]] = _new_account(settings)
            else:
                existing.update(settings)
            self._save()
            return existing is None

    def account(self, account_id: str) -> Record | None:
        with self._lock:
            found = self._accounts.get(account_id)
            return copy.deepcopy(found) if found else None

    def account_id_for_key(self, api_key: str) -> str | None:
        with self._lock:
            for account in self._accounts.values():
                if hmac.compare_digest(account["api_key"].encode(), api_key.encode()):
                    return account["id"]
            return None

    # ------------------------------------------------------------ pushed by ogust
    def put_intervenant(self, account_id: str, fields: Record) -> None:
        with self._lock:
            self._accounts[account_id]["intervenants"][fields["id"]] = dict(fields)
            self._save()

    def put_client(self, account_id: str, fields: Record) -> str:
        """Create or update the client known by its ogust id; returns its shop client id.

        A shop customer not yet linked to ogust (an online buyer) with the same email is linked
        rather than duplicated.
        """
        with self._lock:
            clients = self._accounts[account_id]["clients"]
            found = _by_ogust_id(clients, fields["id"]) or _by_email(clients, fields["email"], unlinked=True)
            shop_client_id = found["shop_client_id"] if found else _new_id("cli")
            previous = clients.get(shop_client_id, {})
            ogust_fields = {key: value for key, value in fields.items() if key != "id"}
            clients[shop_client_id] = {**previous, **ogust_fields, "shop_client_id": shop_client_id,
                                       "ogust_id": fields["id"]}
            self._save()
            return shop_client_id

    def client(self, account_id: str, shop_client_id: str) -> Record | None:
        with self._lock:
            found = self._accounts[account_id]["clients"].get(shop_client_id)
            return copy.deepcopy(found) if found else None

    def put_document(self, account_id: str, shop_client_id: str, document: Record) -> None:
        with self._lock:
            documents = self._accounts[account_id]["documents"].setdefault(shop_client_id, {})
            documents[document["id"]] = dict(document)
            self._save()

    def erase_client(self, account_id: str, ogust_id: str, shop_client_id: str | None = None) -> list[str]:
        """GDPR erasure: the customer linked to ``ogust_id``, and the one at ``shop_client_id`` (an
        online buyer the shop may never have linked), keep only their ids; their orders keep their
        lines and amounts, not who bought; their documents stay. Returns the shop ids erased now
        (none when unknown or already erased). Raises ClientMismatch, erasing nothing, when
        ``shop_client_id`` is another ogust client's."""
        with self._lock:
            account = self._accounts[account_id]
            clients = account["clients"]
            found = {client["shop_client_id"] for client in clients.values() if client.get("ogust_id") == ogust_id}
            named = clients.get(shop_client_id) if shop_client_id else None
            if named is not None:
                if named.get("ogust_id") not in (None, ogust_id):
                    raise ClientMismatch(shop_client_id, named["ogust_id"])
                found.add(shop_client_id)
            erased = sorted(key for key in found if not clients[key].get("erased_at"))
            now = datetime.now(UTC).isoformat()
            for key in erased:
                clients[key] = {"shop_client_id": key, "ogust_id": clients[key].get("ogust_id") or ogust_id,
                                **_anonymous(key), "erased_at": now}
            for order in account["orders"].values():
                customer = order.get("customer") or {}
                if customer.get("shop_client_id") in erased:
                    anonymous = _anonymous(customer["shop_client_id"])
                    order["customer"] = {"shop_client_id": customer["shop_client_id"],
                                         **{key: anonymous[key]
                                            for key in ("first_name", "last_name", "email", "phone")},
                                         "address": {"street": "", "postal_code": "", "city": ""}}
                    order.pop("payment", None)  # the card's ids: no longer anyone's
            if erased:
                self._save()
            return erased

    # ------------------------------------------------------------ online orders
    def shop_customer(self, account_id: str, customer: Record) -> Record:
        """The shop client buying online, found by email or created (not yet linked to ogust)."""
        with self._lock:
            clients = self._accounts[account_id]["clients"]
            found = _by_email(clients, customer["email"])
            if found is None:
                found = {"shop_client_id": _new_id("cli"), "ogust_id": None, **customer}
                clients[found["shop_client_id"]] = found
                self._save()
            return copy.deepcopy(found)

    def update_client(self, account_id: str, shop_client_id: str, **changes: Any) -> None:
        with self._lock:
            self._accounts[account_id]["clients"][shop_client_id].update(changes)
            self._save()

    def put_order(self, account_id: str, order: Record) -> None:
        with self._lock:
            self._accounts[account_id]["orders"][order["order_id"]] = copy.deepcopy(order)
            self._save()

    # ------------------------------------------------------------ helpers
    def _save(self) -> None:
        if self._path is None:
            return
        temporary = self._path.with_name(self._path.name + ".tmp")
        temporary.write_text(json.dumps(self._accounts, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, self._path)


class ClientMismatch(Exception):
    def __init__(self, shop_client_id: str, other_ogust_id: str) -> None:
        super().__init__(f"shop client {shop_client_id} is ogust client {other_ogust_id}")
        self.shop_client_id = shop_client_id
        self.other_ogust_id = other_ogust_id


def _anonymous(shop_client_id: str) -> Record:
    """What an erased customer keeps: no name, no contact, no address (the email on a reserved,
    never delivered domain, so that no buyer is ever matched to it)."""
    return {"first_name": "Client", "last_name": "effacé", "email": f"efface-{shop_client_id}@efface.invalid",
            "phone": "", "street": "", "postal_code": "", "city": ""}


def _by_ogust_id(clients: dict[str, Record], ogust_id: str) -> Record | None:
    return next((client for client in clients.values() if client.get("ogust_id") == ogust_id), None)


def _by_email(clients: dict[str, Record], email: str, unlinked: bool = False) -> Record | None:
    wanted = email.strip().lower()
    for client in clients.values():
        if client.get("email", "").strip().lower() == wanted and not (unlinked and client.get("ogust_id")):
            return client
    return None


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
