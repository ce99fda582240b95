"""PlanIntervention: an operator books an intervention with the checks of an online order, and a booking
refused by the database (another one committed first) is answered as a sequential one."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ogust.application import commands as c
from ogust.application.gdpr import EraseClient, EraseClientHandler
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateClientHandler, UpdateIntervenantHandler
from ogust.application.handlers.planning import PlanInterventionHandler
from ogust.domain.address import Address
from ogust.domain.errors import InvalidTransition, InvalidValue, NotFound, SlotInPast, SlotUnavailable
from ogust.domain.intervention import Intervention
from tests.unit.application.conftest import SOON, contents, item, order
from tests.unit.application.races import committed_first


@pytest.fixture
def claire(uow, ready):
    return CreateClientHandler(uow)(c.CreateClient(ready.id, "Claire", "Martin", "claire@example.fr",
                                                   Address("8 rue Basse", "75002", "Paris")))


def plan(uow, ready, who, client, start=SOON, minutes=120, tarif="MEN"):
    tarif_id = uow.tarifs.by_code(ready.id, tarif).id
    return PlanInterventionHandler(uow)(c.PlanIntervention(ready.id, client.id, who.id, tarif_id, start,
                                                           start + timedelta(minutes=minutes)))


def test_an_intervention_is_planned_at_the_clients_address(uow, ready, marie, claire):
    planned = plan(uow, ready, marie, claire)
    stored = uow.interventions.get(ready.id, planned.id)
    assert (stored.client_id, stored.intervenant_id, stored.address, stored.devis_id) == (
        claire.id, marie.id, claire.address, None)
    assert (stored.start, stored.minutes, stored.status.value) == (SOON, 120, "planned")


def test_an_overlap_with_the_planning_is_refused_and_writes_nothing(uow, ready, marie, cards, claire):
    ordered = PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON, 120)))
    before = contents(uow)
    with pytest.raises(SlotUnavailable) as refused:
        plan(uow, ready, marie, claire, SOON + timedelta(minutes=30))
    assert refused.value.message == "Marie Curie est déjà en intervention le 10/11/2026 de 09:00 à 11:00."
    assert refused.value.details["conflicting_intervention"] == ordered.intervention_ids[0]
    assert contents(uow) == before
    plan(uow, ready, marie, claire, SOON + timedelta(minutes=120))  # back to back: free


def test_the_checks_of_an_order(uow, ready, marie, claire):
    before = contents(uow)
    with pytest.raises(SlotInPast):
        plan(uow, ready, marie, claire, uow.clock.now() - timedelta(hours=1))
    with pytest.raises(InvalidValue, match="au plus 24 heures"):
        plan(uow, ready, marie, claire, minutes=25 * 60)
    with pytest.raises(NotFound):
        PlanInterventionHandler(uow)(c.PlanIntervention(ready.id, claire.id, marie.id, "no-tarif", SOON,
                                                        SOON + timedelta(hours=1)))
    UpdateIntervenantHandler(uow)(c.UpdateIntervenant(ready.id, marie.id, (("active", False),)))
    with pytest.raises(InvalidTransition, match="n'est plus actif"):
        plan(uow, ready, marie, claire)
    UpdateIntervenantHandler(uow)(c.UpdateIntervenant(ready.id, marie.id, (("active", True),)))
    EraseClientHandler(uow)(EraseClient(ready.id, claire.id))
    after_erasure = contents(uow)
    with pytest.raises(InvalidTransition, match="effacé"):
        plan(uow, ready, marie, claire)
    assert contents(uow) == after_erasure
    assert uow.interventions.items == {} and before["interventions"] == 0


def test_refused_by_the_database_it_names_the_booking_that_took_the_slot(uow, ready, marie, claire):
    """Both bookings read a free planning; the other committed first and the exclusion constraint refused
    this one: checked again, it gets the refusal of a sequential booking, and nothing of it is written."""
    other = Intervention(ready.id, claire.id, marie.id, uow.tarifs.by_code(ready.id, "MEN").id,
                         SOON + timedelta(minutes=60), SOON + timedelta(minutes=180), claire.address)
    refused = committed_first(uow, lambda db: db.interventions.add(other),
                              SlotUnavailable("L'intervenant a déjà une intervention sur ce créneau."))
    with pytest.raises(SlotUnavailable) as answer:
        plan(uow, ready, marie, claire)
    assert refused == [1]
    assert answer.value.message == "Marie Curie est déjà en intervention le 10/11/2026 de 10:00 à 12:00."
    assert answer.value.details["conflicting_intervention"] == other.id
    assert list(uow.interventions.items) == [other.id]
