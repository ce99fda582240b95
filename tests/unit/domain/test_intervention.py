"""Interventions: aware times, end after start, overlaps, and which slots can be booked."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ogust.domain.errors import InterventionNotStarted, InvalidTransition, InvalidValue, SlotInPast, SlotUnavailable
from ogust.domain.intervention import InterventionStatus, ensure_slot_bookable
from tests.unit.domain.builders import PARIS, at, intervention

NOW = at(2026, 11, 2, 9)
T = at(2026, 11, 10, 9)


def test_times_must_be_timezone_aware():
    naive = datetime(2026, 11, 10, 9, 0)
    with pytest.raises(InvalidValue):
        intervention(naive)
    with pytest.raises(InvalidValue):
        intervention(T, end=naive + timedelta(hours=2))


@pytest.mark.parametrize("minutes", [0, -30])
def test_end_is_after_start(minutes):
    with pytest.raises(InvalidValue) as refused:
        intervention(T, minutes)
    assert refused.value.details["field"] == "end"


def test_minutes_count_the_real_time_spent_even_across_a_dst_change():
    assert intervention(T, 150).minutes == 150
    # the night of 24 to 25 October 2026 lasts one hour more in Paris (03:00 CEST -> 02:00 CET)
    night = intervention(datetime(2026, 10, 24, 22, 0, tzinfo=PARIS), end=datetime(2026, 10, 25, 6, 0, tzinfo=PARIS))
    assert night.minutes == 9 * 60
    spring = intervention(datetime(2026, 3, 28, 22, 0, tzinfo=PARIS), end=datetime(2026, 3, 29, 6, 0, tzinfo=PARIS))
    assert spring.minutes == 7 * 60


def test_different_time_zones_compare_on_the_same_instant():
    paris = intervention(datetime(2026, 11, 10, 10, 0, tzinfo=PARIS), 60)  # 09:00 UTC
    assert paris.overlaps(at(2026, 11, 10, 9, 30), at(2026, 11, 10, 11))
    assert not paris.overlaps(at(2026, 11, 10, 10), at(2026, 11, 10, 11))


def test_repeated_wall_clock_hour_is_not_mistaken_for_an_earlier_time():
    # 02:30 CEST then 02:15 CET (fold=1) is 45 minutes later, not 15 minutes earlier
    start = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)
    end = datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=PARIS)
    assert intervention(start, end=end).minutes == 45


@pytest.mark.parametrize("start,end,expected", [
    (T - timedelta(hours=1), T, False),                      # ends when it starts: touching
    (T + timedelta(hours=2), T + timedelta(hours=3), False),  # starts when it ends: touching
    (T - timedelta(hours=1), T + timedelta(minutes=1), True),
    (T + timedelta(minutes=119), T + timedelta(hours=4), True),
    (T + timedelta(minutes=30), T + timedelta(minutes=60), True),  # inside
    (T - timedelta(hours=1), T + timedelta(hours=3), True),       # around
])
def test_overlaps(start, end, expected):
    assert intervention(T, 120).overlaps(start, end) is expected


def test_cancelled_interventions_never_overlap():
    i = intervention(T, 120)
    i.cancel()
    assert not i.overlaps(T, T + timedelta(hours=2))


def test_status_moves():
    done, cancelled = intervention(T), intervention(T)
    done.mark_done(T + timedelta(hours=2))
    cancelled.cancel()
    assert (done.status, cancelled.status) == (InterventionStatus.DONE, InterventionStatus.CANCELLED)
    for move in (lambda: done.mark_done(T + timedelta(hours=3)), done.cancel,
                 lambda: cancelled.mark_done(T + timedelta(hours=3)), cancelled.cancel):
        with pytest.raises(InvalidTransition):
            move()


def test_done_once_begun_never_before():
    """Declared done before it takes place, it would be invoiced — and attested for the tax credit —
    for a service not rendered."""
    early = intervention(T)
    with pytest.raises(InterventionNotStarted) as refused:
        early.mark_done(T - timedelta(minutes=1), PARIS)
    assert refused.value.message.startswith("L'intervention du 10/11/2026 à 10:00 n'a pas encore commencé")  # 09:00 UTC
    assert early.status is InterventionStatus.PLANNED
    under_way = intervention(T, 120)
    under_way.mark_done(T)  # from its very start: the intervenant declares it on site
    assert under_way.status is InterventionStatus.DONE


def test_invoiced_once():
    i = intervention(T)
    i.mark_invoiced("inv-1")
    i.mark_invoiced("inv-1")  # the same invoice again is harmless
    with pytest.raises(InvalidTransition):
        i.mark_invoiced("inv-2")
    assert i.invoice_id == "inv-1"


def test_slot_in_the_past_or_now_is_refused():
    for start in (NOW - timedelta(minutes=1), NOW):
        with pytest.raises(SlotInPast):
            ensure_slot_bookable(start, start + timedelta(hours=1), NOW, [], "Marie Curie")


def test_overlapping_slot_is_refused_naming_the_conflict():
    other = intervention(T, 120)
    with pytest.raises(SlotUnavailable) as refused:
        ensure_slot_bookable(T + timedelta(hours=1), T + timedelta(hours=3), NOW, [other], "Marie Curie")
    assert "Marie Curie" in refused.value.message
    assert refused.value.details["conflicting_intervention"] == other.id


def test_the_refusals_say_when_in_french_in_the_time_zone_of_the_slot_asked_for():
    stored = intervention(T, 120)  # 10/11/2026 09:00–11:00 UTC, as planning entries come back from the database
    asked = (T + timedelta(hours=1)).astimezone(PARIS)  # the shop asks 11:00 Paris time (UTC+1 in November)
    with pytest.raises(SlotUnavailable) as refused:
        ensure_slot_bookable(asked, asked + timedelta(hours=2), NOW, [stored], "Marie Curie")
    assert refused.value.message == "Marie Curie est déjà en intervention le 10/11/2026 de 10:00 à 12:00."
    overnight = intervention(at(2026, 11, 10, 23), 120)
    with pytest.raises(SlotUnavailable) as refused:
        ensure_slot_bookable(at(2026, 11, 11, 0), at(2026, 11, 11, 1), NOW, [overnight], "Marie Curie")
    assert refused.value.message == ("Marie Curie est déjà en intervention du 10/11/2026 à 23:00 "
                                     "au 11/11/2026 à 01:00.")
    with pytest.raises(SlotInPast) as refused:
        ensure_slot_bookable(at(2026, 11, 1, 9), at(2026, 11, 1, 10), NOW, [], "Marie Curie")
    assert refused.value.message == "Le créneau du 01/11/2026 à 09:00 est déjà passé."


def test_touching_or_cancelled_slots_are_bookable():
    before, cancelled = intervention(T - timedelta(hours=2), 120), intervention(T, 120)
    cancelled.cancel()
    ensure_slot_bookable(T, T + timedelta(hours=2), NOW, [before, cancelled], "Marie Curie")


def test_naive_slot_is_refused_not_taken_as_local_time():
    naive = datetime(2026, 11, 10, 9, 0)
    with pytest.raises(InvalidValue):
        ensure_slot_bookable(naive, naive + timedelta(hours=1), NOW, [], "Marie Curie")
    with pytest.raises(InvalidValue):
        intervention(T).overlaps(naive, naive + timedelta(hours=1))


def test_a_refusal_names_the_status_in_french():
    """« L'intervention est réalisée. », not « L'intervention est « done ». »."""
    assert [s.label_fr for s in InterventionStatus] == ["prévue", "réalisée", "annulée"]
    visit = intervention(at(2026, 12, 1))
    visit.cancel()
    with pytest.raises(InvalidTransition) as refused:
        visit.cancel()
    assert refused.value.message == "L'intervention est annulée."
