"""An online order: the client (found or created), an accepted devis and the interventions —
exactly once per shop order id.

One transaction answers a replay (the shop sending an order again) with what the first delivery
created, or checks every item and writes the order. The card is checked at Stripe before it, outside
any transaction; so a replay asks Stripe again, and is answered as a replay even when its card has
gone since."""
from __future__ import annotations

from dataclasses import dataclass

from ogust.application.commands import OrderItem, PlaceOrder
from ogust.application.handlers import UowFactory, checked_again
from ogust.application.ports import PaymentGateway
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.address import Address
from ogust.domain.client import Client, ClientOrigin, check_stripe_ids
from ogust.domain.devis import Devis
from ogust.domain.errors import (
    AlreadyExists,
    ClientAlreadyExists,
    ConcurrencyConflict,
    InvalidValue,
    NoPaymentMethod,
    PriceMismatch,
    ServiceNotMapped,
    SlotUnavailable,
)
from ogust.domain.intervention import Intervention, ensure_slot_bookable
from ogust.domain.lines import DevisLine
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit
from ogust.domain.validation import check_amount, check_text, normalise_email, normalise_phone


@dataclass(frozen=True)
class OrderResult:
    shop_order_id: str
    client_id: str
    devis_id: str
    intervention_ids: tuple[str, ...]
    replayed: bool


MAX_ORDER_ITEMS = 100


class PlaceOrderHandler:
    def __init__(self, uow: UowFactory, payments: PaymentGateway) -> None:
        self.uow = uow
        self.payments = payments

    def __call__(self, cmd: PlaceOrder) -> OrderResult:
        if not cmd.items:
            raise InvalidValue("Une commande contient au moins une prestation.", field="items")
        if len(cmd.items) > MAX_ORDER_ITEMS:
            raise InvalidValue(f"Une commande contient au plus {MAX_ORDER_ITEMS} prestations.", field="items")
        check_text(cmd.shop_order_id, "order_id", "Numéro de commande", 200)
        normalise_email(cmd.customer.email, "customer.email")
        normalise_phone(cmd.customer.phone, "customer.phone")
        cmd.customer.address.check()
        for item in cmd.items:
            # aware times, end after start, at most 24 h, a sane price: refused before anything is written
            _slot(item, cmd.company_id, cmd.customer.address)
            check_amount(item.unit_price_ttc, "items.unit_price_ttc_cents", "Le prix")
        try:  # outside any transaction: it may ask Stripe
            self._check_payment_method(cmd)
        except (InvalidValue, NoPaymentMethod) as refused:
            # an order already accepted is answered as such, even if its card is gone since
            return self._replayed(cmd, refused)
        # Another order committed first what this one was writing, and the database refused it: the
        # same order (the unique shop order id — or its interventions now fill this order's slots), the
        # same new buyer's client (one per e-mail and shop id), the intervenant's slot (no overlap).
        # Accepted again, the order is answered as if it came second: the replay, the client the other
        # created, or slot_unavailable naming the intervention that took the slot.
        return checked_again(lambda: self._accept(cmd), ConcurrencyConflict, SlotUnavailable, ClientAlreadyExists)

    def _replayed(self, cmd: PlaceOrder, error: Exception) -> OrderResult:
        """The answer given when the order was accepted; ``error`` if it never was."""
        with self.uow() as uow:
            replay = self._existing(uow, cmd)
        if replay is None:
            raise error
        return replay

    def _existing(self, uow: UnitOfWork, cmd: PlaceOrder) -> OrderResult | None:
        devis = uow.devis.by_shop_order(cmd.company_id, cmd.shop_order_id)
        if devis is None:
            return None
        interventions = uow.interventions.for_devis(cmd.company_id, devis.id)
        if not self._same_items(uow, cmd, interventions):
            # the same order id with other items: not a replay — answered as one, this order would be lost
            raise AlreadyExists(f"La commande {cmd.shop_order_id} a déjà été reçue avec d'autres prestations : "
                                "un numéro de commande ne sert qu'une fois.", shop_order_id=cmd.shop_order_id,
                                devis_id=devis.id)
        return OrderResult(cmd.shop_order_id, devis.client_id, devis.id,
                           tuple(i.id for i in sorted(interventions, key=lambda i: i.start)), replayed=True)

    @staticmethod
    def _same_items(uow: UnitOfWork, cmd: PlaceOrder, interventions: list[Intervention]) -> bool:
        """The order's items are those this order id was accepted with: the same intervenants and
        slots, and the same services (by the tarif each is mapped to, while it still is)."""
        booked = {(i.intervenant_id, i.start, i.end): i.tarif_id for i in interventions}
        if sorted(booked) != sorted((item.intervenant_id, item.start, item.end) for item in cmd.items):
            return False
        for item in cmd.items:
            mapping = uow.mappings.by_shop_service(cmd.company_id, item.shop_service_id)
            if mapping is not None and mapping.tarif_id != booked[(item.intervenant_id, item.start, item.end)]:
                return False
        return True

    def _check_payment_method(self, cmd: PlaceOrder) -> None:
        if cmd.stripe_customer_id is None and cmd.stripe_payment_method_id is None:
            return
        if not (cmd.stripe_customer_id and cmd.stripe_payment_method_id):
            raise InvalidValue("Le client Stripe et le moyen de paiement vont ensemble.", field="payment")
        check_stripe_ids(cmd.stripe_customer_id, cmd.stripe_payment_method_id)
        if not self.payments.payment_method_usable(cmd.stripe_customer_id, cmd.stripe_payment_method_id):
            raise NoPaymentMethod(
                "La carte enregistrée à la commande est introuvable chez Stripe.",
                stripe_customer_id=cmd.stripe_customer_id,
            )

    def _accept(self, cmd: PlaceOrder) -> OrderResult:
        """One transaction: the order known already (a replay) is answered as it was; else every item
        is checked, then the client, the devis and the interventions are written."""
        with self.uow() as uow:
            replay = self._existing(uow, cmd)
            if replay:
                return replay
            uow.companies.get(cmd.company_id).require_shop()
            now = uow.clock.now()
            booked: list[tuple[OrderItem, Tarif, str]] = []
            for item in sorted(cmd.items, key=lambda i: i.start):
                tarif = self._checked_tarif(uow, cmd.company_id, item)
                intervenant = uow.intervenants.get(cmd.company_id, item.intervenant_id)
                intervenant.require_active()
                intervenant.require_offers(item.shop_service_id)
                planning = uow.interventions.for_intervenant(cmd.company_id, intervenant.id, item.start, item.end)
                planning += [_slot(i, cmd.company_id, cmd.customer.address)
                             for i, _, who in booked if who == intervenant.id]
                ensure_slot_bookable(item.start, item.end, now, planning, intervenant.full_name)
                booked.append((item, tarif, intervenant.id))
            # every item is acceptable: only now is anything written
            client = self._client(uow, cmd)
            interventions = [
                Intervention(company_id=cmd.company_id, client_id=client.id, intervenant_id=intervenant_id,
                             tarif_id=tarif.id, start=item.start, end=item.end, address=client.address)
                for item, tarif, intervenant_id in booked
            ]
            lines = [
                DevisLine(tarif.id, tarif.label, _quantity(tarif, intervention), tarif.price_ht, tarif.vat_rate)
                for (_, tarif, _), intervention in zip(booked, interventions, strict=True)
            ]
            devis = Devis.accepted_from_shop_order(cmd.company_id, client, cmd.shop_order_id, lines, now)
            uow.devis.add(devis)
            for intervention in interventions:
                intervention.devis_id = devis.id
                uow.interventions.add(intervention)
            uow.commit()
            return OrderResult(cmd.shop_order_id, client.id, devis.id,
                               tuple(i.id for i in interventions), replayed=False)

    def _client(self, uow: UnitOfWork, cmd: PlaceOrder) -> Client:
        customer = cmd.customer
        client = uow.clients.by_shop_client_id(cmd.company_id, customer.shop_client_id)
        if client is None:
            client = uow.clients.by_email(cmd.company_id, customer.email.strip().lower())
        if client is None:
            client = Client(
                company_id=cmd.company_id, first_name=customer.first_name, last_name=customer.last_name,
                email=customer.email, address=customer.address, phone=customer.phone, origin=ClientOrigin.SHOP,
            )
            uow.clients.add(client)
        if client.shop_client_id is None:
            client.link_shop_client(customer.shop_client_id)
        if cmd.stripe_customer_id and cmd.stripe_payment_method_id:
            client.save_payment_method(cmd.stripe_customer_id, cmd.stripe_payment_method_id)
        return client

    @staticmethod
    def _checked_tarif(uow: UnitOfWork, company_id: str, item: OrderItem) -> Tarif:
        mapping = uow.mappings.by_shop_service(company_id, item.shop_service_id)
        if mapping is None:
            raise ServiceNotMapped(item.shop_service_id)
        tarif = uow.tarifs.get(company_id, mapping.tarif_id)
        if item.unit_price_ttc != tarif.price_ttc:
            raise PriceMismatch(
                f"Prix {item.unit_price_ttc} pour {item.shop_service_id}, "
                f"le tarif {tarif.code} est à {tarif.price_ttc}.",
                shop_service_id=item.shop_service_id, tarif_code=tarif.code,
                expected_cents=tarif.price_ttc.cents, received_cents=item.unit_price_ttc.cents,
            )
        return tarif


def _slot(item: OrderItem, company_id: str, address: Address) -> Intervention:
    """An item of this same order, as a planning entry, to refuse overlaps within one order."""
    return Intervention(company_id=company_id, client_id="", intervenant_id=item.intervenant_id, tarif_id="",
                        start=item.start, end=item.end, address=address)


def _quantity(tarif: Tarif, intervention: Intervention) -> Quantity:
    if tarif.unit is Unit.HOUR:
        return Quantity.hours_minutes(intervention.minutes)
    return Quantity.pieces(1)



