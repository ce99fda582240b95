"""The same-work baseline of the order intake (bench (1)): what ogust does for a shop order, written
by hand with the raw driver (sqlite3 or psycopg) in one transaction — no ORM, no unit of work, no
domain objects, no dependency injection, and of the HTTP framework only what the bare endpoint
uses (FastAPI: one route, the body in, JSON out).

Against the same migrated schema (its foreign keys, unique constraints, indexes and triggers count
here as in ogust), it does the same reads:
  the company by its shop account (then the signature, with its secrets), the order id already
  received?, per item the service's mapping and its tarif, the intervenant, the intervenant's
  planning around the slot (and the order's other items), then the client by shop id, then by e-mail;
and writes the same rows: the client (new, or linked to the shop and its card saved), the accepted
devis and its lines, the interventions, and the audit entries ogust writes for them (one per record
created or changed, with the same fields; the Stripe ids masked). An order queues no outbox job in
ogust either. It answers like ogust: 201 with the ids, 200 for a replay, 401 unsigned, 404 unknown
intervenant, 409 slot taken or order id reused, 422 refused.

The PostgreSQL connections and the SQLite writer lock are held as ogust's engine holds them: one
connection per server thread, one writer at a time in the process on SQLite (BEGIN IMMEDIATE)."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

MAX_INTERVENTION = timedelta(hours=24)
ACTOR = "shop-webhook"
MASKED = "[masqué]"
TOLERANCE_SECONDS = 300
_STRIPE_CUSTOMER, _STRIPE_PAYMENT_METHOD = re.compile(r"cus_[A-Za-z0-9]+"), re.compile(r"pm_[A-Za-z0-9]+")


class Refused(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class Database:
    """One connection per thread; ``transaction()`` yields ``run(sql, params)`` (``:name`` parameters)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url  # to read the URL only

        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self._path = parsed.database
        self._conninfo = {k: v for k, v in {"host": parsed.host, "port": parsed.port, "user": parsed.username,
                                            "password": parsed.password, "dbname": parsed.database}.items() if v}
        self._local = threading.local()
        self._writer = threading.Lock()

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self.sqlite:
                connection = sqlite3.connect(self._path, timeout=30, isolation_level=None, check_same_thread=False)
                for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                    connection.execute(f"PRAGMA {pragma}")
            else:
                import psycopg

                connection = psycopg.connect(**self._conninfo, autocommit=True)
            self._local.connection = connection
        return connection

    def run(self, sql: str, params: dict | list[dict] | None = None) -> list[tuple]:
        """Outside a transaction (a read on its own)."""
        cursor = self._connection().cursor()
        return _run(cursor, self.sqlite, sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        connection = self._connection()
        if self.sqlite:
            with self._writer:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    yield lambda sql, params=None: _run(connection.cursor(), True, sql, params)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
        else:
            with connection.transaction():
                cursor = connection.cursor()
                yield lambda sql, params=None: _run(cursor, False, sql, params)


_PARAM = re.compile(r"(?<!:):(\w+)")


def _run(cursor: Any, sqlite: bool, sql: str, params: dict | list[dict] | None) -> list[tuple]:
    if not sqlite:
        sql = _PARAM.sub(r"%(\1)s", sql)
    if isinstance(params, list):
        cursor.executemany(sql, params)
        return []
    cursor.execute(sql, params or {})
    return cursor.fetchall() if cursor.description else []


def _stored(at: datetime, sqlite: bool) -> Any:
    """A time as ogust's UtcDateTime stores it: naive UTC text on SQLite, timestamptz on PostgreSQL."""
    at = at.astimezone(UTC)
    return at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else at


def _read(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def _verify(secrets: list[str], stamp: str | None, signature: str | None, raw: bytes) -> None:
    if not stamp or not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
        raise Refused(401, "bad_signature", "Commande non authentifiée : horodatage absent ou périmé")
    received = (signature or "").removeprefix("sha256=")
    message = stamp.encode() + b"." + raw
    if not any(hmac.compare_digest(hmac.new(s.encode(), message, hashlib.sha256).hexdigest(), received)
               for s in secrets if s):
        raise Refused(401, "bad_signature", "Commande non authentifiée : la signature ne correspond pas")


def _items(order: dict) -> list[dict]:
    """The order's items, checked as ogust's schema and handler check them, before any transaction."""
    try:
        items = [{"service": str(i["service_id"]), "who": str(i["intervenant_id"]),
                  "start": datetime.fromisoformat(i["start"]), "end": datetime.fromisoformat(i["end"]),
                  "price": int(i["unit_price_ttc_cents"])} for i in order["items"]]
        customer = order["customer"]
        for key in ("shop_client_id", "email", "first_name", "last_name", "phone"):
            if not str(customer[key]).strip():
                raise ValueError(key)
        if "@" not in customer["email"] or not {"street", "postal_code", "city"} <= set(customer["address"]):
            raise ValueError("customer")
        payment = order.get("payment") or {}
        if payment and not (_STRIPE_CUSTOMER.fullmatch(str(payment.get("stripe_customer_id")))
                            and _STRIPE_PAYMENT_METHOD.fullmatch(str(payment.get("stripe_payment_method_id")))):
            raise ValueError("payment")
    except (KeyError, TypeError, ValueError) as error:
        raise Refused(422, "invalid_request", f"Commande illisible : {error}") from None
    if not 1 <= len(items) <= 100:
        raise Refused(422, "invalid_request", "Une commande contient de 1 à 100 prestations.")
    for item in items:
        if item["start"].tzinfo is None or not item["start"] < item["end"] <= item["start"] + MAX_INTERVENTION:
            raise Refused(422, "invalid_value", "Créneau invalide.")
        if item["price"] <= 0:
            raise Refused(422, "invalid_value", "Le prix doit être positif.")
    return sorted(items, key=lambda i: i["start"])


def receive(db: Database, raw: bytes, stamp: str | None, signature: str | None) -> tuple[int, dict]:
    try:
        order = json.loads(raw)
        account_id = str(order["account_id"])
    except (ValueError, KeyError, TypeError):
        raise Refused(401, "bad_signature", "Commande non authentifiée : compte absent") from None
    found = db.run("SELECT id, shop_webhook_secret, shop_previous_webhook_secret, shop_previous_secret_expires_at "
                   "FROM companies WHERE shop_account_id = :account", {"account": account_id})
    if not found:
        raise Refused(401, "bad_signature", "Commande non authentifiée : compte inconnu")
    company_id, secret, previous, expires = found[0]
    _verify([secret] + ([previous] if previous and expires and _read(expires) > datetime.now(UTC) else []),
            stamp, signature, raw)
    items = _items(order)
    try:
        return _accept(db, company_id, order, items)
    except Exception as error:  # the unique shop order id: the same order arriving twice at once
        if type(error).__name__ not in ("IntegrityError", "UniqueViolation"):
            raise
        with db.transaction() as run:
            replay = _replay(run, company_id, order, items)
        if replay is None:
            raise
        return replay


def _replay(run, company_id: str, order: dict, items: list[dict]) -> tuple[int, dict] | None:
    devis = run("SELECT id, client_id FROM devis WHERE company_id = :company AND shop_order_id = :order "
                "ORDER BY created_at, id LIMIT 1", {"company": company_id, "order": str(order["order_id"])})
    if not devis:
        return None
    devis_id, client_id = devis[0]
    booked = run("SELECT id, intervenant_id, starts_at, ends_at FROM interventions "
                 "WHERE company_id = :company AND devis_id = :devis", {"company": company_id, "devis": devis_id})
    if sorted((who, _read(start), _read(end)) for _, who, start, end in booked) != sorted(
            (i["who"], i["start"].astimezone(UTC), i["end"].astimezone(UTC)) for i in items):
        raise Refused(409, "already_exists", "Numéro de commande déjà reçu avec d'autres prestations.")
    ids = [row[0] for row in sorted(booked, key=lambda row: _read(row[2]))]
    return 200, {"order_id": order["order_id"], "client_id": client_id, "devis_id": devis_id,
                 "intervention_ids": ids, "replayed": True}


def _accept(db: Database, company_id: str, order: dict, items: list[dict]) -> tuple[int, dict]:
    sqlite, now = db.sqlite, datetime.now(UTC)
    with db.transaction() as run:
        replay = _replay(run, company_id, order, items)
        if replay:
            return replay
        booked = []
        for item in items:
            tarif = run("SELECT t.id, t.label, t.unit, t.price_ht_cents, t.currency, t.vat_rate "
                        "FROM shop_service_mappings m JOIN tarifs t ON t.id = m.tarif_id "
                        "WHERE m.company_id = :company AND m.shop_service_id = :service "
                        "ORDER BY m.shop_service_id LIMIT 1", {"company": company_id, "service": item["service"]})
            if not tarif:
                raise Refused(422, "service_not_mapped", f"Service {item['service']} non relié à un tarif.")
            tarif_id, label, unit, price_ht, currency, vat_rate = tarif[0]
            if item["price"] != price_ht + _half_up(price_ht * vat_rate, 10_000):
                raise Refused(422, "price_mismatch", f"Prix {item['price']} pour {item['service']}.")
            person = run("SELECT first_name, last_name, profile_services FROM intervenants "
                         "WHERE company_id = :company AND id = :id", {"company": company_id, "id": item["who"]})
            if not person:
                raise Refused(404, "not_found", f"Intervenant {item['who']} introuvable.")
            services = person[0][2] if isinstance(person[0][2], list) else json.loads(person[0][2])
            if item["service"] not in services:
                raise Refused(422, "service_not_offered", f"{person[0][0]} {person[0][1]} ne propose pas ce service.")
            if item["start"] <= now:
                raise Refused(422, "slot_in_past", "Le créneau est déjà passé.")
            planning = run(
                "SELECT id, status, starts_at, ends_at FROM interventions WHERE company_id = :company "
                "AND intervenant_id = :who AND starts_at > :earliest AND starts_at < :end AND ends_at > :start "
                "ORDER BY starts_at, id",
                {"company": company_id, "who": item["who"], "end": _stored(item["end"], sqlite),
                 "start": _stored(item["start"], sqlite),
                 "earliest": _stored(item["start"] - MAX_INTERVENTION, sqlite)})
            taken = [(_read(s), _read(e)) for _, status, s, e in planning if status != "cancelled"]
            taken += [(b["start"], b["end"]) for b, *_ in booked if b["who"] == item["who"]]
            if any(s < item["end"] and item["start"] < e for s, e in taken):
                raise Refused(409, "slot_unavailable", f"{person[0][0]} {person[0][1]} est déjà en intervention.")
            booked.append((item, tarif_id, label, unit, price_ht, currency, vat_rate))
        client, audit = _client(run, company_id, order, now, sqlite)
        return 201, _write(run, company_id, order, client, booked, audit, now, sqlite)


_CLIENT = ("id", "version", "company_id", "first_name", "last_name", "email", "address_street", "address_postal_code",
           "address_city", "address_country", "phone", "origin", "shop_client_id", "stripe_customer_id",
           "stripe_payment_method_id")


def _client(run, company_id: str, order: dict, now: datetime, sqlite: bool) -> tuple[dict, list[dict]]:
    customer, payment = order["customer"], order.get("payment") or {}
    columns = ", ".join(_CLIENT)
    found = run(f"SELECT {columns} FROM clients WHERE company_id = :company AND shop_client_id = :shop "
                "ORDER BY last_name, first_name, id LIMIT 1",
                {"company": company_id, "shop": customer["shop_client_id"]})
    if not found:
        found = run(f"SELECT {columns} FROM clients WHERE company_id = :company AND email = :email "
                    "ORDER BY last_name, first_name, id LIMIT 1",
                    {"company": company_id, "email": customer["email"].strip().lower()})
    card = {"stripe_customer_id": payment.get("stripe_customer_id"),
            "stripe_payment_method_id": payment.get("stripe_payment_method_id")}
    if not found:
        address = customer["address"]
        client = {"id": str(uuid.uuid4()), "version": 1, "company_id": company_id,
                  "first_name": customer["first_name"].strip(), "last_name": customer["last_name"].strip(),
                  "email": customer["email"].strip().lower(), "address_street": address["street"],
                  "address_postal_code": address["postal_code"], "address_city": address["city"],
                  "address_country": address.get("country", "FR"), "phone": customer["phone"], "origin": "shop",
                  "shop_client_id": customer["shop_client_id"], **card}
        run(f"INSERT INTO clients ({columns}) VALUES ({', '.join(':' + c for c in _CLIENT)})", client)
        after = {k: MASKED if k.startswith("stripe") and v else v for k, v in client.items() if k != "version"}
        return client, [_entry(company_id, "Client", client["id"], "created", {}, after, now, sqlite)]
    client = dict(zip(_CLIENT, found[0], strict=True))
    changed = {"shop_client_id": client["shop_client_id"] or customer["shop_client_id"]}
    if card["stripe_customer_id"] and card["stripe_payment_method_id"]:
        changed |= card
    changed = {k: v for k, v in changed.items() if client[k] != v}
    if not changed:
        return client, []
    updated = run(f"UPDATE clients SET {', '.join(f'{k} = :{k}' for k in changed)}, version = :version + 1 "
                  "WHERE id = :id AND version = :version RETURNING id", {**changed, "id": client["id"],
                                                                         "version": client["version"]})
    if not updated:
        raise Refused(409, "conflict", "Client modifié en même temps : réessayez.")
    mask = {k: MASKED if k.startswith("stripe") and v else v for k, v in client.items()}
    before = {k: mask[k] for k in changed}
    after = {k: MASKED if k.startswith("stripe") and v else v for k, v in changed.items()}
    client |= changed
    return client, [_entry(company_id, "Client", client["id"], "updated", before, after, now, sqlite)]


def _entry(company_id: str, kind: str, entity_id: str, action: str, before: dict, after: dict, at: datetime,
           sqlite: bool) -> dict:
    return {"company": company_id, "at": _stored(at, sqlite), "actor": ACTOR, "kind": kind, "entity": entity_id,
            "action": action, "changes": json.dumps({"before": before, "after": after}, default=str)}


def _write(run, company_id: str, order: dict, client: dict, booked: list, audit: list[dict], now: datetime,
           sqlite: bool) -> dict:
    devis_id, at = str(uuid.uuid4()), _stored(now, sqlite)
    identity = json.dumps({"first_name": client["first_name"], "last_name": client["last_name"],
                           "email": client["email"], "address": {
                               "street": client["address_street"], "postal_code": client["address_postal_code"],
                               "city": client["address_city"], "country": client["address_country"]}})
    devis = {"id": devis_id, "company": company_id, "client": client["id"], "at": at, "order": str(order["order_id"]),
             "identity": identity}
    run("INSERT INTO devis (id, version, company_id, client_id, status, created_at, accepted_at, acceptance_channel, "
        "shop_order_id, client_identity) VALUES (:id, 1, :company, :client, 'accepted', :at, :at, 'shop', :order, "
        ":identity)", devis)
    audit.append(_entry(company_id, "Devis", devis_id, "created", {}, {
        "id": devis_id, "company_id": company_id, "client_id": client["id"], "status": "accepted",
        "created_at": now.isoformat(), "accepted_at": now.isoformat(), "acceptance_channel": "shop",
        "shop_order_id": devis["order"], "client_identity": json.loads(identity)}, now, sqlite))
    lines, interventions = [], []
    for position, (item, tarif_id, label, unit, price_ht, currency, vat_rate) in enumerate(booked):
        minutes = int((item["end"] - item["start"]).total_seconds() // 60)
        lines.append({"id": str(uuid.uuid4()), "devis": devis_id, "position": position, "tarif": tarif_id,
                      "label": label, "value": minutes if unit == "hour" else 1, "unit": unit, "price": price_ht,
                      "currency": currency, "vat": vat_rate})
        intervention = {"id": str(uuid.uuid4()), "company_id": company_id, "client_id": client["id"],
                        "intervenant_id": item["who"], "tarif_id": tarif_id,
                        "starts_at": _stored(item["start"], sqlite), "ends_at": _stored(item["end"], sqlite),
                        "address_street": client["address_street"],
                        "address_postal_code": client["address_postal_code"], "address_city": client["address_city"],
                        "address_country": client["address_country"], "devis_id": devis_id, "status": "planned"}
        interventions.append(intervention)
        audit.append(_entry(company_id, "Intervention", intervention["id"], "created", {}, {
            **intervention, "starts_at": item["start"].isoformat(), "ends_at": item["end"].isoformat(),
            "invoice_id": None}, now, sqlite))
    run("INSERT INTO devis_lines (id, devis_id, position, tarif_id, label, quantity_value, quantity_unit, "
        "unit_price_ht_cents, currency, vat_rate) VALUES (:id, :devis, :position, :tarif, :label, :value, :unit, "
        ":price, :currency, :vat)", lines)
    run("INSERT INTO interventions (id, version, company_id, client_id, intervenant_id, tarif_id, starts_at, ends_at, "
        "address_street, address_postal_code, address_city, address_country, devis_id, status) VALUES (:id, 1, "
        ":company_id, :client_id, :intervenant_id, :tarif_id, :starts_at, :ends_at, :address_street, "
        ":address_postal_code, :address_city, :address_country, :devis_id, :status)", interventions)
    run("INSERT INTO audit_log (company_id, at, actor, entity_type, entity_id, action, changes) "
        "VALUES (:company, :at, :actor, :kind, :entity, :action, :changes)", audit)
    return {"order_id": order["order_id"], "client_id": client["id"], "devis_id": devis_id,
            "intervention_ids": [i["id"] for i in interventions], "replayed": False}


def same_work_app(database_url: str) -> FastAPI:
    db = Database(database_url)
    app = FastAPI()

    @app.post("/orders")
    async def order(request: Request) -> JSONResponse:
        raw = await request.body()

        def work() -> tuple[int, dict]:
            try:
                return receive(db, raw, request.headers.get("x-ogust-timestamp"),
                               request.headers.get("x-ogust-signature"))
            except Refused as refused:
                return refused.status, {"code": refused.code, "detail": refused.detail}

        status, body = await run_in_threadpool(work)
        return JSONResponse(body, status_code=status)

    return app
