"""Placing an online order: find or create the buyer, save their card, send the signed order to ogust."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

from ogust_shop.problems import Problem
from ogust_shop.schemas import OrderIn, OrderItemIn
from ogust_shop.store import Record, Store
from ogust_shop.stripe_cards import CardRefused, SavedCard, StripeCards
from ogust_shop.webhook import WebhookUnreachable, deliver


class OrderPlacer:
    def __init__(self, store: Store, cards: StripeCards | None = None, transport=None) -> None:
        self._store = store
        self._cards = cards
        self._transport = transport

    def place(self, account_id: str, order: OrderIn) -> dict:
        account = self._store.account(account_id)
        if account is None:
            raise Problem(404, "account_not_found", f"Le compte boutique {account_id} n'existe pas.")
        if not (account.get("webhook_url") and account.get("webhook_secret")):
            raise Problem(409, "webhook_not_configured", "Ce compte n'a pas d'URL ni de secret de webhook ogust.")
        items = _items(account, order)
        buyer = self._store.shop_customer(account_id, _customer(order))
        card = self._payment(account_id, buyer, order)
        payload = _payload(account["id"], buyer, card, order, items)
        secret, timestamp = account["webhook_secret"], None
        if order.signing is not None:
            secret, timestamp = order.signing.secret or secret, order.signing.timestamp
        try:
            delivery = deliver(account["webhook_url"], secret, payload, timestamp, transport=self._transport)
        except WebhookUnreachable as error:
            raise Problem(502, "webhook_unreachable", f"Le webhook ogust ne répond pas : {error}") from error
        if delivery.status == 201 and isinstance(delivery.body, dict) and delivery.body.get("client_id"):
            self._store.update_client(account_id, buyer["shop_client_id"], ogust_id=delivery.body["client_id"])
        self._store.put_order(account_id, {**payload, "ogust_status": delivery.status, "ogust_body": delivery.body})
        return {"order_id": payload["order_id"], "shop_client_id": buyer["shop_client_id"],
                "payment": payload["payment"], "ogust_status": delivery.status, "ogust_body": delivery.body}

    def _payment(self, account_id: str, buyer: Record, order: OrderIn) -> SavedCard:
        if order.payment is not None:
            card = SavedCard(order.payment.stripe_customer_id, order.payment.stripe_payment_method_id)
        elif self._cards is None:
            card = SavedCard(buyer.get("stripe_customer_id") or f"cus_fake_{secrets.token_hex(6)}",
                             f"pm_fake_{secrets.token_hex(6)}")
        else:
            name = f"{order.customer.first_name} {order.customer.last_name}"
            try:
                card = self._cards.save_card(order.customer.email, name, order.card_number,
                                             buyer.get("stripe_customer_id"))
            except CardRefused as error:
                raise Problem(402, "card_refused", f"Carte refusée : {error}") from error
        self._store.update_client(account_id, buyer["shop_client_id"], stripe_customer_id=card.stripe_customer_id)
        return card


def _customer(order: OrderIn) -> Record:
    customer = order.customer.model_dump()
    customer["email"] = customer["email"].lower()
    return customer


def _payload(account_id: str, buyer: Record, card: SavedCard, order: OrderIn, items: list[dict]) -> dict:
    customer = order.customer.model_dump()
    return {
        "order_id": order.order_id or f"ord_{secrets.token_hex(8)}",
        "account_id": account_id,
        "placed_at": (order.placed_at or datetime.now(UTC)).isoformat(),
        "customer": {"shop_client_id": buyer["shop_client_id"], **customer},
        "payment": {"stripe_customer_id": card.stripe_customer_id,
                    "stripe_payment_method_id": card.stripe_payment_method_id},
        "items": items,
    }


def _items(account: Record, order: OrderIn) -> list[dict]:
    prices = {service["id"]: service["price_ttc_cents"] for service in account["services"]}
    return [
        {"service_id": item.service_id, "intervenant_id": item.intervenant_id,
         "start": item.start.isoformat(), "end": item.end.isoformat(),
         "unit_price_ttc_cents": _unit_price(item, prices)}
        for item in order.items
    ]


def _unit_price(item: OrderItemIn, prices: dict[str, int]) -> int:
    if item.unit_price_ttc_cents is not None:
        return item.unit_price_ttc_cents
    if item.service_id not in prices:
        raise Problem(422, "unknown_service", f"Service inconnu de la boutique : {item.service_id}.")
    return prices[item.service_id]
