"""Orders racing through two API processes on PostgreSQL: two *different* orders for one slot, one
new buyer's two orders at once, an order against an operator planning the same slot by hand. Each
round on a slot (and buyers) of its own, with a third, hostile request racing the two; what is
asserted is the invariant — one booking per slot, one client per buyer, nothing written by a
refused request — never who won."""
from __future__ import annotations

import os
import time as clock
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ogust.domain.intervention import InterventionStatus
from tests.integration.races.checks import interventions_of, written_by_order
from tests.integration.races.conftest import NEEDS_POSTGRESQL
from tests.integration.races.harness import Buyer, RaceOffice
from tests.integration.races.rounds import Rounds, refused
from tests.integration.races.senders import Call, Senders

pytestmark = [pytest.mark.integration, NEEDS_POSTGRESQL]

ROUNDS = int(os.environ.get("OGUST_RACE_ROUNDS", "20"))
PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def day_of(r: int) -> date:
    """A day of its own for each round, weeks ahead (an order for the past is refused)."""
    return date.today() + timedelta(days=30 + r)


def hostile_order(office: RaceOffice, r: int, who: str, day: date) -> tuple[Call, str, Buyer]:
    """A request racing the two, refused whatever happens: a wrong price on the same slot, a wrong
    signature, a stale timestamp, or the slot of yesterday. Returns the call, its order id, its buyer."""
    buyer, order_id = Buyer.new("Zoe"), f"ord_{uuid.uuid4().hex[:10]}"
    items = [(who, at(day, 10), at(day, 12))]
    kind = r % 4
    if kind == 0:
        call = office.order("hostile: wrong price", r, order_id, buyer, items, price_cents=2500)
    elif kind == 1:
        call = office.order("hostile: wrong signature", r, order_id, buyer, items, secret="x" * 36)
    elif kind == 2:
        call = office.order("hostile: stale timestamp", r, order_id, buyer, items, sent_at=int(clock.time()) - 600)
    else:
        yesterday = date.today() - timedelta(days=1)
        call = office.order("hostile: yesterday", r, order_id, buyer, [(who, at(yesterday, 9), at(yesterday, 11))])
    return call, order_id, buyer


def _left_nothing(office: RaceOffice, label: str, order_id: str, email: str) -> tuple[list[str], dict]:
    written = written_by_order(office.container.engine(), office.company_id, order_id, email)
    return ([f"{label} was refused but wrote {written}"] if any(written.values()) else []), written


def _booked_on(office: RaceOffice, who: str, day: date) -> list[tuple]:
    """The intervenant's non-cancelled interventions of that day."""
    return [row for row in interventions_of(office.container.engine(), office.company_id, who)
            if row[2].astimezone(PARIS).date() == day and row[4] is not InterventionStatus.CANCELLED]


def test_two_different_orders_for_one_slot_book_it_once(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("two different orders for one slot")
    marie = office.intervenants["M001"]
    for r in range(ROUNDS):
        day = day_of(r)
        buyers = Buyer.new("Alice"), Buyer.new("Bruno")
        orders = f"ord_{uuid.uuid4().hex[:10]}", f"ord_{uuid.uuid4().hex[:10]}"
        hostile, hostile_id, intruder = hostile_order(office, r, marie, day)
        answers = office.record(senders.fire([
            office.order("order 09:00–11:00", r, orders[0], buyers[0], [(marie, at(day, 9), at(day, 11))]),
            office.order("order 09:30–11:30", r + 1, orders[1], buyers[1], [(marie, at(day, 9, 30), at(day, 11, 30))]),
            hostile,
        ]))
        problems, seen = refused(answers[2]), {}
        more, seen["hostile wrote"] = _left_nothing(office, answers[2].label, hostile_id, intruder.email)
        problems += more
        accepted = [n for n in (0, 1) if answers[n].status == 201]
        if len(accepted) != 1:
            problems.append(f"{len(accepted)} orders accepted for one slot")
        else:
            loser = 1 - accepted[0]
            problems += refused(answers[loser], "slot_unavailable")
            more, seen["loser wrote"] = _left_nothing(office, answers[loser].label, orders[loser],
                                                      buyers[loser].email)
            problems += more
            rounds.outcomes[f"won on {office.process_of(answers[accepted[0]])}"] += 1
        seen["booked"] = _booked_on(office, marie, day)
        if len(seen["booked"]) != 1:
            problems.append(f"{len(seen['booked'])} bookings of the slot")
        rounds.judge(r, answers, problems, **seen)
    rounds.verdict()


def test_one_new_buyer_sending_two_orders_at_once_is_one_client(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("one new buyer's two orders at once")
    paul = office.intervenants["M002"]
    for r in range(ROUNDS):
        day = day_of(r)
        buyer = Buyer.new("Camille")
        orders = f"ord_{uuid.uuid4().hex[:10]}", f"ord_{uuid.uuid4().hex[:10]}"
        hostile_id = f"ord_{uuid.uuid4().hex[:10]}"
        answers = office.record(senders.fire([
            office.order("order 09:00–11:00", r, orders[0], buyer, [(paul, at(day, 9), at(day, 11))]),
            office.order("order 14:00–16:00", r + 1, orders[1], buyer, [(paul, at(day, 14), at(day, 16))]),
            # the same buyer again, at a price the tarif does not have: refused, and nothing of it written
            office.order("hostile: wrong price", r, hostile_id, buyer, [(paul, at(day, 17), at(day, 18))],
                         price_cents=2500),
        ]))
        problems = refused(answers[2], "price_mismatch")
        written = {n: written_by_order(office.container.engine(), office.company_id, o, buyer.email)
                   for n, o in enumerate((*orders, hostile_id))}
        if written[2]["devis"] or written[2]["interventions"]:
            problems.append(f"the refused order wrote {written[2]}")
        if [a.status for a in answers[:2]] != [201, 201]:
            problems.append("both orders must be accepted")
        else:
            client_ids = {a.body["client_id"] for a in answers[:2]}
            if len(client_ids) != 1:
                problems.append(f"answered with {len(client_ids)} clients")
        clients = written[0]["clients"]
        if len(clients) != 1 or clients[0][2] != buyer.shop_client_id:
            problems.append(f"{len(clients)} clients for one buyer")
        rounds.outcomes[f"{len(clients)} client(s)"] += 1
        rounds.judge(r, answers, problems, clients=clients, devis=[written[n]["devis"] for n in (0, 1)])
    rounds.verdict()


def test_an_order_against_an_operator_planning_the_same_slot_one_wins(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("an order against an operator's intervention")
    louise = office.intervenants["M003"]
    for r in range(ROUNDS):
        day = day_of(r)
        client = office.client(first_name="Denis")
        buyer, order_id = Buyer.new("Eva"), f"ord_{uuid.uuid4().hex[:10]}"
        planned = {"client_id": client.id, "intervenant_id": louise, "tarif_id": office.tarif_id,
                   "start": at(day, 9).isoformat(), "end": at(day, 11).isoformat()}
        # hostile: the same slot for a client that does not exist, or ending before it starts
        hostile = ({**planned, "client_id": f"cli_{uuid.uuid4().hex}"} if r % 2
                   else {**planned, "start": at(day, 11).isoformat(), "end": at(day, 9).isoformat()})
        operator_first = r % 2 == 0  # who sits on which sender, and which API process, changes each round
        operator = office.operator("operator plans 09:00–11:00", r, "POST", "/interventions", planned)
        order = office.order("order 09:30–11:30", r + 1, order_id, buyer, [(louise, at(day, 9, 30), at(day, 11, 30))])
        calls = [operator, order] if operator_first else [order, operator]
        answers = office.record(senders.fire([
            *calls, office.operator("hostile intervention", r, "POST", "/interventions", hostile)]))
        by_operator, by_order = (answers[0], answers[1]) if operator_first else (answers[1], answers[0])
        problems, seen = refused(answers[2]), {}
        accepted = [a for a in (by_operator, by_order) if a.status == 201]
        if len(accepted) != 1:
            problems.append(f"{len(accepted)} bookings accepted for one slot")
        elif accepted[0] is by_order:
            problems += refused(by_operator, "slot_unavailable")
            rounds.outcomes["the order won"] += 1
        else:
            problems += refused(by_order, "slot_unavailable")
            more, seen["refused order wrote"] = _left_nothing(office, by_order.label, order_id, buyer.email)
            problems += more
            rounds.outcomes["the operator won"] += 1
        seen["booked"] = _booked_on(office, louise, day)
        if len(seen["booked"]) != 1:
            problems.append(f"{len(seen['booked'])} bookings of the slot")
        if by_operator.status != 201 and any(row[1] == client.id for row in seen["booked"]):
            problems.append("the refused operator's intervention was written")
        rounds.judge(r, answers, problems, **seen)
    rounds.verdict()
