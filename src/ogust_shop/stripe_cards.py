"""Saving the buyer's card as a real shop does: Customer, PaymentMethod, SetupIntent (off_session).

Works against Stripe's API or a localstripe server. localstripe does not attach the payment method
on confirmation, so it is attached explicitly afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx


class CardRefused(Exception):
    """The card could not be saved (declined, needs authentication, Stripe error)."""


@dataclass(frozen=True)
class SavedCard:
    stripe_customer_id: str
    stripe_payment_method_id: str


class StripeCards:
    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), auth=(api_key, ""), timeout=timeout,
                                    transport=transport)

    def save_card(self, email: str, name: str, card_number: str, customer_id: str | None = None) -> SavedCard:
        customer_id = customer_id or self._post("/v1/customers", {"email": email, "name": name})["id"]
        method = self._post("/v1/payment_methods", {
            "type": "card", "card[number]": card_number, "card[exp_month]": "12",
            "card[exp_year]": str(date.today().year + 3), "card[cvc]": "123",
        })["id"]
        intent = self._post("/v1/setup_intents", {"customer": customer_id, "usage": "off_session"})
        confirmed = self._post(f"/v1/setup_intents/{intent['id']}/confirm", {"payment_method": method})
        if confirmed.get("status") != "succeeded":
            raise CardRefused(f"carte non enregistrée (SetupIntent {confirmed.get('status')})")
        self._post(f"/v1/payment_methods/{method}/attach", {"customer": customer_id})
        return SavedCard(customer_id, method)

    def _post(self, path: str, data: dict[str, str]) -> dict:
        try:
            response = self._client.post(path, data=data)
        except httpx.TransportError as error:
            raise CardRefused(f"Stripe injoignable : {error}") from error
        body = response.json() if response.content else {}
        if response.status_code >= 400:
            message = body.get("error", {}).get("message", response.text) if isinstance(body, dict) else body
            raise CardRefused(f"Stripe a refusé {path} : {message}")
        return body
