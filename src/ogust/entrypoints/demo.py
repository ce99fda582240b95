"""``ogust demo``: ogust on SQLite with demo data, and the real parts beside it on this machine —
a local Stripe (localstripe), the reference shop, and an SMTP server keeping emails in var/mail/inbox.
No account needed."""
from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

import httpx

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.errors import AlreadyExists
from ogust.domain.intervenant import ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.demo_history import CLIENT_EMAIL, StripeAccount, write_history

# localstripe pickles its store to a fixed /tmp path, shared by every instance on the machine:
# the demo's instance keeps its state in var/ instead, so that a restarted demo keeps its cards.
_LOCALSTRIPE = """\
import os, pickle, sys
from localstripe import resources, server
STATE = os.environ["OGUST_DEMO_STRIPE_STATE"]
def load(self):
    try:
        with open(STATE, "rb") as f:
            self.clear(); self.update(pickle.load(f))
    except FileNotFoundError:
        pass
def dump(self):
    with open(STATE + ".tmp", "wb") as f:
        pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(STATE + ".tmp", STATE)
resources.Store.try_load_from_disk = load
resources.Store.dump_to_disk = dump
sys.argv[0] = "localstripe"
server.start()
"""

WEBHOOK_SECRET = "demo-webhook-secret-ogust"
SHOP_API_KEY = "demo-shop-api-key"
STRIPE_KEY = "sk_test_ogust_demo"
STRIPE_WEBHOOK_SECRET = "whsec_ogust_demo"


@dataclass(frozen=True)
class Ports:
    api: int = 8000
    shop: int = 8700
    stripe: int = 8420
    smtp: int = 8025


def _free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _wait(url: str, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} s'est arrêté au démarrage (code {process.returncode})")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} ne répond pas sur {url}")


def env_file(var_dir: Path, ports: Ports) -> dict[str, str]:
    values = {
        "OGUST_BASE_URL": f"http://127.0.0.1:{ports.api}",
        "OGUST_SHOP_URL": f"http://127.0.0.1:{ports.shop}",
        "OGUST_SHOP_API_KEY": SHOP_API_KEY,
        "OGUST_STRIPE_API_KEY": STRIPE_KEY,
        "OGUST_STRIPE_API_BASE": f"http://127.0.0.1:{ports.stripe}",
        "OGUST_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "OGUST_STRIPE_PUBLISHABLE_KEY": "pk_test_ogust_demo",
        "OGUST_STRIPE_JS_URL": f"http://127.0.0.1:{ports.stripe}/js.stripe.com/v3/",  # localstripe's Stripe.js
        "OGUST_SMTP_HOST": "127.0.0.1",
        "OGUST_SMTP_PORT": str(ports.smtp),
        "OGUST_MAIL_SENDER": "Aide & Vous Services <factures@aide-et-vous.example>",
    }
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "ogust.env").write_text(
        "# written by `ogust demo`: the CLI in another terminal talks to the same parts;\n"
        "# a shell reads it too (. var/ogust.env), e.g. for $OGUST_SHOP_URL\n"
        + "".join(f"{k}={shlex.quote(v)}\n" for k, v in values.items()))
    return values


class Inbox:
    """An SMTP server that keeps each email it receives as a .eml file."""

    def __init__(self, folder: Path, port: int) -> None:
        from aiosmtpd.controller import Controller

        folder.mkdir(parents=True, exist_ok=True)

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                name = "".join(ch if ch.isalnum() else "_" for ch in str(message["Message-ID"] or time.time()))
                (folder / f"{int(time.time())}-{name[:60]}.eml").write_bytes(envelope.original_content
                                                                               or envelope.content)
                return "250 Message accepted"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def start_parts(var_dir: Path, ports: Ports) -> list[subprocess.Popen]:
    for name, port in (("API", ports.api), ("boutique", ports.shop), ("Stripe local", ports.stripe),
                       ("SMTP", ports.smtp)):
        if not _free(port):
            raise RuntimeError(f"Le port {port} ({name}) est déjà pris : arrêtez l'autre démo ou changez de port.")
    logs = var_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stripe = subprocess.Popen([sys.executable, "-c", _LOCALSTRIPE, "--port", str(ports.stripe)],
                              stdout=open(logs / "localstripe.log", "wb"), stderr=subprocess.STDOUT, cwd=var_dir,
                              env={**os.environ, "OGUST_DEMO_STRIPE_STATE": str(var_dir / "localstripe.pickle")})
    _wait(f"http://127.0.0.1:{ports.stripe}/v1/customers", stripe, "localstripe")
    httpx.post(f"http://127.0.0.1:{ports.stripe}/_config/webhooks/ogust",
               data={"url": f"http://127.0.0.1:{ports.api}/api/stripe/webhook", "secret": STRIPE_WEBHOOK_SECRET},
               timeout=5).raise_for_status()
    shop = subprocess.Popen(
        [sys.executable, "-m", "ogust_shop", "--port", str(ports.shop), "--seed-demo", "--api-key", SHOP_API_KEY,
         "--webhook-url", f"http://127.0.0.1:{ports.api}/api/shop/orders", "--webhook-secret", WEBHOOK_SECRET,
         "--stripe-base", f"http://127.0.0.1:{ports.stripe}", "--stripe-key", STRIPE_KEY,
         "--data", str(var_dir / "shop.json")],
        stdout=open(logs / "shop.log", "wb"), stderr=subprocess.STDOUT)
    _wait(f"http://127.0.0.1:{ports.shop}/docs", shop, "la boutique")
    return [stripe, shop]


def seed(container, stripe: StripeAccount | None = None) -> str:
    """The demo company, its tarifs mapped to the shop's services, two intervenants and a client —
    with, given the local Stripe, the client's last year and a visit of today (demo_history).
    Does nothing when a company exists already."""
    queries = container.queries()
    existing = queries.companies()
    if existing:
        return existing[0].id
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074",
        "SAP123456789", date(2021, 3, 1), "contact@aide-et-vous.example"))
    create_tarif = container.create_tarif()
    for code, label, cents, vat in (("MEN", "Ménage", 2500, VatRate.INTERMEDIATE_10),
                                    ("GARDE", "Garde d'enfants", 2000, VatRate.INTERMEDIATE_10),
                                    ("TOILETTE", "Aide à la toilette", 3000, VatRate.REDUCED_5_5)):
        create_tarif(c.CreateTarif(company.id, code, label, Unit.HOUR, Money(cents), vat))
    # a fee, not a service: VAT at 20 %, left off the attestation fiscale
    create_tarif(c.CreateTarif(company.id, "FRAIS", "Frais de dossier", Unit.FLAT, Money(1500), VatRate.STANDARD_20,
                               tax_credit_eligible=False))
    container.link_shop()(c.LinkShopAccount(company.id, "acc_demo", WEBHOOK_SECRET, SHOP_API_KEY))
    for service, code in (("svc_menage", "MEN"), ("svc_garde_enfants", "GARDE"), ("svc_aide_toilette", "TOILETTE")):
        container.map_service()(c.MapShopService(company.id, service, code))
    create_intervenant = container.create_intervenant()
    create_intervenant(c.CreateIntervenant(
        company.id, "Marie", "Curie", "M001", "marie.curie@aide-et-vous.example", "06 12 34 56 78",
        ShopProfile("Dix ans d'expérience auprès des personnes âgées.", ("svc_menage", "svc_aide_toilette"),
                    ("69003", "69006"), ("repassage", "aide à la toilette", "premiers secours"))))
    create_intervenant(c.CreateIntervenant(
        company.id, "Paul", "Martin", "M002", "paul.martin@aide-et-vous.example", "06 98 76 54 32",
        ShopProfile("Animateur BAFA, garde d'enfants de 3 à 10 ans.", ("svc_garde_enfants",), ("69003",),
                    ("BAFA", "aide aux devoirs"))))
    try:
        container.create_client()(c.CreateClient(company.id, "Claire", "Dubois", CLIENT_EMAIL,
                                                 Address("5 place Bellecour", "69002", "Lyon"), "04 78 00 00 00"))
    except AlreadyExists:
        pass
    if stripe is not None:
        write_history(container, company.id, stripe)
    return company.id
