"""Interventions to declare: begun (by the clock) but still planned — a month's, in the company's time
zone, or all of them; the first ones by start, and how many in all."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ogust.application.queries import Queries
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention, InterventionStatus

HOME = Address("3 rue Haute", "75002", "Paris")


def test_begun_still_planned_by_start_with_the_total(uow, company, clock):
    marie, jean = Intervenant(company.id, "Marie", "Curie", "M001"), Client(company.id, "Jean", "Dupont",
                                                                            "jean@example.fr", HOME)
    uow.intervenants.add(marie)
    uow.clients.add(jean)

    def at(start: datetime, status: InterventionStatus = InterventionStatus.PLANNED) -> Intervention:
        intervention = Intervention(company.id, jean.id, marie.id, "tarif", start, start + timedelta(hours=2), HOME,
                                    status=status)
        uow.interventions.add(intervention)
        return intervention

    # 31 October 23:30 UTC is 1 November 00:30 in Paris: November's
    october, halloween, november = (at(datetime(2026, 10, 20, 8, tzinfo=UTC)), at(datetime(2026, 10, 31, 23, 30,
                                    tzinfo=UTC)), at(datetime(2026, 11, 2, 8, tzinfo=UTC)))
    at(datetime(2026, 10, 21, 8, tzinfo=UTC), InterventionStatus.DONE)
    at(datetime(2026, 10, 22, 8, tzinfo=UTC), InterventionStatus.CANCELLED)
    at(clock.now() + timedelta(minutes=1))  # not begun yet

    queries = Queries(lambda: uow)
    items, total = queries.to_declare(company.id)
    assert [i.intervention.id for i in items] == [october.id, halloween.id, november.id] and total == 3
    assert (items[0].intervenant.full_name, items[0].client.full_name) == ("Marie Curie", "Jean Dupont")
    items, total = queries.to_declare(company.id, (2026, 10))
    assert [i.intervention.id for i in items] == [october.id] and total == 1
    items, total = queries.to_declare(company.id, limit=2)
    assert [i.intervention.id for i in items] == [october.id, halloween.id] and total == 3
