"""What one scenario has set up, by the names the scenario uses ("Marie Curie", "MEN"…).

The database, the shop, localstripe and the SMTP server are shared by the whole session: each
scenario has its own company, its own shop account, and emails made unique by a suffix."""
from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TypeVar

import httpx

from ogust.domain.address import Address
from ogust.domain.errors import DomainError
from ogust.entrypoints.container import Container
from ogust.entrypoints.settings import Settings
from tests.support.localstripe import LocalStripe
from tests.support.shop_server import RunningShop, ShopAdmin
from tests.support.smtp_server import SmtpTestServer

T = TypeVar("T")
ADRESSE = Address("5 place Bellecour", "69002", "Lyon")


@dataclass(frozen=True)
class OgustApi:
    base_url: str
    settings: Settings

    @property
    def orders_url(self) -> str:
        return f"{self.base_url}/api/shop/orders"


class AdminBoutique(ShopAdmin):
    """The shop's admin helpers over one kept-alive HTTP client: ``httpx.request`` builds a new
    client per call, and loading the CA bundle for each one costs ~70 ms."""

    def __init__(self, base_url: str, http: httpx.Client) -> None:
        super().__init__(base_url)
        self.http = http

    def client_page(self, account_id: str, shop_client_id: str) -> str:
        response = self.http.get(f"{self.base_url}/accounts/{account_id}/clients/{shop_client_id}")
        response.raise_for_status()
        return response.text

    def _call(self, method: str, path: str, body: object = None) -> dict:
        response = self.http.request(method, self.base_url + path, json=body)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()


@dataclass(frozen=True)
class CompteBoutique:
    id: str
    api_key: str


@dataclass
class Acheteur:
    """Someone buying on the shop: who they are and the card they give."""

    first_name: str
    last_name: str
    email: str
    card_number: str = "4242424242424242"
    payment: dict | None = None  # Stripe ids of a card saved beforehand, sent instead of a card number

    def customer(self) -> dict:
        return {"email": self.email, "first_name": self.first_name, "last_name": self.last_name,
                "phone": "0478000000", "address": {"street": ADRESSE.street, "postal_code": ADRESSE.postal_code,
                                                   "city": ADRESSE.city}}


def slug(label: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")


@dataclass
class Monde:
    container: Container
    shop: RunningShop
    admin: AdminBoutique
    stripe: LocalStripe
    smtp: SmtpTestServer
    api: OgustApi
    compte: CompteBoutique
    uid: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    company_id: str | None = None
    webhook_secret: str | None = None
    services: dict[str, str] = field(default_factory=dict)  # shop label -> shop service id
    intervenants: dict[str, str] = field(default_factory=dict)  # full name -> ogust id
    clients: dict[str, str] = field(default_factory=dict)  # full name -> ogust id
    acheteurs: dict[str, Acheteur] = field(default_factory=dict)  # full name -> online buyer
    valeurs: dict[str, str] = field(default_factory=dict)  # {numéro}, {année}… in expected texts
    erreur: DomainError | None = None
    avant: object = None  # what the back office held before the last order (see commandes.etat)

    # ------------------------------------------------------------ names
    @property
    def shop_account(self) -> str:
        return self.compte.id

    @property
    def entreprise(self) -> str:
        assert self.company_id, "aucune entreprise créée dans ce scénario"
        return self.company_id

    def email(self, lisible: str) -> str:
        """claire.dubois@example.fr → claire.dubois+<uid>@example.fr: unique in the shared servers."""
        local, _, domain = lisible.partition("@")
        return f"{local}+{self.uid}@{domain}"

    def texte(self, attendu: str) -> str:
        """An expected text with its {placeholders} filled: {numéro} of the invoice, {année}…"""
        for name, value in self.valeurs.items():
            attendu = attendu.replace("{" + name + "}", value)
        return attendu

    def service(self, label: str) -> str:
        """The shop's id for a service label; a label the shop does not sell gets an id of its own."""
        return self.services.get(label, f"svc_{slug(label)}")

    def intervenant(self, nom: str) -> str:
        assert nom in self.intervenants, f"intervenant inconnu du scénario : {nom}"
        return self.intervenants[nom]

    def client(self, nom: str) -> str:
        assert nom in self.clients, f"client inconnu du scénario : {nom}"
        return self.clients[nom]

    # ------------------------------------------------------------ acting
    def tenter(self, action: Callable[[], T]) -> T | None:
        """Run a use case; a refusal (a domain error) is kept for the "c'est refusé" steps."""
        self.erreur = None
        try:
            return action()
        except DomainError as error:
            self.erreur = error
            return None

    def sans_erreur(self) -> None:
        assert self.erreur is None, f"refusé : {self.erreur.message}"

    # ------------------------------------------------------------ the real servers
    def boutique(self) -> dict:
        """The shop account as the shop sees it (services, intervenants, clients, documents, orders)."""
        return self.admin.account(self.shop_account)

    def reglages_boutique(self, **settings) -> None:
        """Change the shop account's settings (services, webhook), keeping its key and what it holds."""
        account = self.boutique()
        current = {"services": account["services"], "webhook_url": account["webhook_url"]}
        self.admin.create_account(self.shop_account, api_key=self.compte.api_key,
                                       **{**current, "webhook_secret": self.webhook_secret, **settings})

    def emails_de(self, nom: str) -> list[EmailMessage]:
        acheteur = self.acheteurs.get(nom)
        if acheteur is not None:
            address = acheteur.email.lower()
        else:
            address = self.container.queries().client(self.entreprise, self.client(nom)).email
        return [m for m in self.smtp.messages if address in str(m["To"]).lower()]
