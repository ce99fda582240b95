"""The demo's history: Claire Dubois's last year with the company, written by ogust's own use cases
with the clock set back to when each step happened — so the rows are those ogust would have written
then (invoices numbered in that year, payments received on their dates, a credit note, a card debited
in the autumn). Today, the README's story generates, validates, publishes and emails her attestation
fiscale of that year, and declares done her visit of today, which has begun.

Her year: invoices by hand at first (January paid by cheque; February, with the fee waived by a credit
note on its line, paid in CESU for a part and by transfer for the rest); in September she orders
online with her card, and the card is debited for her two September visits. Yesterday she ordered a
visit that began an hour ago."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from dependency_injector import providers

from ogust.application import commands as c
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod

PARIS = ZoneInfo("Europe/Paris")
CLIENT_EMAIL = "claire.dubois@example.fr"
CARD = "4242424242424242"


class _Clock:
    """ogust's clock while the history is written: set to each step's moment."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True)
class StripeAccount:
    base_url: str
    api_key: str

    def saved_card(self, email: str) -> tuple[str, str]:
        """A customer with a card saved at the (local) Stripe, as the shop does at ordering."""
        with httpx.Client(base_url=self.base_url, auth=(self.api_key, ""), timeout=10) as stripe:
            customer = stripe.post("/v1/customers", data={"email": email}).raise_for_status().json()["id"]
            method = stripe.post("/v1/payment_methods", data={
                "type": "card", "card[number]": CARD, "card[exp_month]": "12",
                "card[exp_year]": str(date.today().year + 3), "card[cvc]": "123"}).raise_for_status().json()["id"]
            stripe.post(f"/v1/payment_methods/{method}/attach", data={"customer": customer}).raise_for_status()
        return customer, method


class _History:
    def __init__(self, container, company_id: str, stripe: StripeAccount, now: datetime) -> None:
        self.container = container
        self.company_id = company_id
        self.stripe = stripe
        self.clock = _Clock()
        self.today = now.astimezone(PARIS)
        self.year = self.today.year - 1
        queries = container.queries()
        self.client = queries.client_ref(company_id, CLIENT_EMAIL)
        self.marie = queries.intervenant_ref(company_id, "M001").id

    def at(self, month: int, day: int, hour: int = 10) -> None:
        """ogust's clock now reads that day and hour of last year (Paris)."""
        self.clock.at = datetime(self.year, month, day, hour, tzinfo=PARIS)

    def effects(self) -> None:
        """What a worker would have done right then: publish, debit, email."""
        self.container.processor().run_until_idle()

    def write(self) -> None:
        self.container.clock.override(providers.Object(self.clock))
        try:
            self.by_hand()
            card = self.stripe.saved_card(CLIENT_EMAIL)
            self.online_with_card(card)
            self.visit_of_today(card)
        finally:
            self.container.clock.reset_last_overriding()

    # ------------------------------------------------------------ January and February: by hand
    def by_hand(self) -> None:
        y = self.year
        self.at(2, 2)
        january = self.invoice([("MEN", 120, date(y, 1, 13)), ("MEN", 120, date(y, 1, 27))])
        self.at(2, 10)
        self.pay(january, PaymentMethod.CHEQUE, date(y, 2, 9), "0004512")

        self.at(3, 2)
        february = self.invoice([("TOILETTE", 90, date(y, 2, 10)), ("TOILETTE", 90, date(y, 2, 24)),
                                 ("FRAIS", 1, date(y, 2, 10))])
        self.at(3, 5)
        self.container.issue_credit_note()(c.IssueCreditNote(
            self.company_id, february, "Frais de dossier offerts", line=3))
        self.effects()
        self.at(3, 12)
        self.pay(february, PaymentMethod.CESU, date(y, 3, 11), "CESU 7301", Money(5000))
        self.at(3, 20)
        self.pay(february, PaymentMethod.TRANSFER, date(y, 3, 19), "VIR DUBOIS MARS")

    def invoice(self, lines: list[tuple[str, int, date]]) -> str:
        draft = self.container.manual_invoice()(c.ManualInvoice(self.company_id, self.client.id, tuple(
            c.ManualInvoiceLine(code, quantity, day, self.marie if code != "FRAIS" else None)
            for code, quantity, day in lines)))
        self.container.validate_invoice()(c.ValidateInvoice(self.company_id, draft.id))
        self.effects()
        return draft.id

    def pay(self, invoice_id: str, method: PaymentMethod, on: date, reference: str,
            amount: Money | None = None) -> None:
        self.container.record_payment()(c.RecordPayment(self.company_id, invoice_id, method, on, reference, amount))
        self.effects()

    # ------------------------------------------------------------ September: online, with her card
    def online_with_card(self, card: tuple[str, str]) -> None:
        y = self.year
        self.at(9, 1)
        order = self.order(f"demo-{y}-09-dubois", card, [datetime(y, 9, 8, 9, tzinfo=PARIS),
                                                         datetime(y, 9, 15, 9, tzinfo=PARIS)])
        for intervention_id, day in zip(order.intervention_ids, (8, 15), strict=True):
            self.at(9, day, 11)
            self.container.mark_done()(c.MarkInterventionDone(self.company_id, intervention_id))
        self.at(9, 30, 18)
        draft = self.container.invoice_from_devis()(c.InvoiceFromDevis(self.company_id, order.devis_id))
        self.container.validate_invoice()(c.ValidateInvoice(self.company_id, draft.id))
        self.effects()  # the card is debited on 30 September

    # ------------------------------------------------------------ today: a visit that has begun
    def visit_of_today(self, card: tuple[str, str]) -> None:
        """Ordered yesterday; began an hour ago (on the quarter), ends in an hour or so: declared done
        in the story, then invoiced and debited."""
        began = self.today.replace(minute=self.today.minute // 15 * 15, second=0, microsecond=0) - timedelta(hours=1)
        self.clock.at = began - timedelta(days=1)
        self.order(f"demo-{began:%Y-%m-%d}-dubois", card, [began])
        self.clock.at = datetime.now(UTC)

    def order(self, order_id: str, card: tuple[str, str], starts: list[datetime]):
        client = self.container.queries().client(self.company_id, self.client.id)
        price = next(t for t in self.container.queries().tarifs(self.company_id) if t.code == "MEN").price_ttc
        customer = c.OrderCustomer(client.shop_client_id or f"shop-{client.id}", client.email, client.first_name,
                                   client.last_name, client.address, client.phone)
        return self.container.place_order()(c.PlaceOrder(
            self.company_id, order_id, customer,
            tuple(c.OrderItem("svc_menage", self.marie, start, start + timedelta(hours=2), price) for start in starts),
            stripe_customer_id=card[0], stripe_payment_method_id=card[1]))


def write_history(container, company_id: str, stripe: StripeAccount, now: datetime | None = None) -> int:
    """Claire Dubois's last year and today's visit; returns that year."""
    history = _History(container, company_id, stripe, now or datetime.now(UTC))
    history.write()
    return history.year


