"""After every race of the folder (this module runs last: files run in name order): the whole
company's database holds the invariants, no request got a 5xx, and no process logged a traceback."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.races.checks import (
    gaps_in_series,
    invoices_debited_twice,
    invoices_overpaid,
    overlapping_interventions,
    twin_clients,
)
from tests.integration.races.conftest import NEEDS_POSTGRESQL
from tests.integration.races.harness import RaceOffice

pytestmark = [pytest.mark.integration, NEEDS_POSTGRESQL]


def test_after_the_races_the_database_holds_every_invariant(office: RaceOffice) -> None:
    engine, company = office.container.engine(), office.company_id
    statuses = Counter(answer.status for answer in office.answers)
    print(f"\n[races] {len(office.answers)} requests raced, answered {dict(sorted(statuses.items()))}")
    office.effects_settled()
    for process in office.deployment.processes:
        process.alive()

    assert not [str(a) for a in office.answers if a.status == 0 or a.status >= 500]
    assert not overlapping_interventions(engine, company)
    assert not twin_clients(engine, company)
    assert not invoices_debited_twice(engine, company)
    assert not invoices_overpaid(office.container, company)
    assert not gaps_in_series(engine, company)
    assert not office.deployment.tracebacks()
