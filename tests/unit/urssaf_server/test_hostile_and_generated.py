"""Generated inputs for the reference URSSAF server's operations: whatever JSON arrives, the answer
is a documented refusal or a documented success, never an exception; and requests built to hold
their sums pass the checks, while one cent off anywhere is caught."""
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogust_urssaf.clock import ServerClock
from ogust_urssaf.demande_checks import content_errors, shape_errors
from ogust_urssaf.errors import ApiRefusal
from ogust_urssaf.service import UrssafService
from ogust_urssaf.store import Store, Tiers
from tests.support.urssaf_contract import schema_errors
from tests.support.urssaf_samples import DEMANDE_JSON, demande

NUMBERS = st.one_of(st.integers(-10**15, 10**15), st.decimals(allow_nan=False, allow_infinity=False, places=4),
                    st.booleans(), st.none())
LEAVES = st.one_of(NUMBERS, st.text(max_size=30), st.sampled_from(["2026-11-02T00:00:00Z", "HEURE", "10"]))
JSON = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                    max_leaves=20)
FIELDS = st.fixed_dictionaries({}, optional={name: JSON for name in DEMANDE_JSON})


def service() -> tuple[UrssafService, Tiers]:
    clock = ServerClock()
    clock.set(datetime(2026, 12, 3, 9, tzinfo=UTC))
    store = Store()
    tiers = Tiers("t", "s", "T")
    store.tiers["t"] = tiers
    return UrssafService(store, clock), tiers


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(JSON, st.lists(FIELDS.map(lambda fields: {**demande(), **fields}), min_size=1, max_size=3)))
def test_any_body_gets_a_documented_answer(body):
    urssaf, tiers = service()
    answers = {"type": "array", "items": {"$ref": "#/components/schemas/OutputDemandePaiement"}}
    for call, schema in ((urssaf.submit, answers),
                         (urssaf.search, {"$ref": "#/components/schemas/OutputRechercheDemandePaiement"}),
                         (urssaf.register, {"$ref": "#/components/schemas/OutputParticulierDTO"})):
        try:
            answer = call(tiers, body)
        except ApiRefusal as refusal:
            assert refusal.status in (400, 404)
            answer = [error.as_json() for error in refusal.errors]
            schema = {"$ref": "#/components/schemas/Erreurs"}
        assert schema_errors(schema, answer) == []


LINE = st.tuples(st.integers(1, 2000),  # quantity in hundredths
                 st.integers(1, 100_000),  # unit price in thousandths of a euro
                 st.integers(0, 2000))  # VAT rate in basis points


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=10), off_by=st.sampled_from([-1, 1]), which=st.integers(0, 9))
def test_consistent_sums_pass_and_a_cent_off_is_caught(lines, off_by, which):
    built = []
    for hundredths, thousandths, rate in lines:
        quantity, unit_price = Decimal(hundredths) / 100, Decimal(thousandths) / 1000
        ttc = (quantity * unit_price).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        ht = (ttc * 10_000 / (10_000 + rate)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
        built.append({"codeNature": "10", "quantite": quantity, "unite": "HEURE", "mntUnitaireTTC": unit_price,
                      "mntPrestationTTC": ttc, "mntPrestationHT": ht, "mntPrestationTVA": ttc - ht,
                      "complement2": "SIR12345678900011"})
    total_ttc = sum(line["mntPrestationTTC"] for line in built)
    total_ht = sum(line["mntPrestationHT"] for line in built)
    item = demande(inputPrestations=built, mntFactureTTC=total_ttc, mntFactureHT=total_ht)
    assert shape_errors(item) == []
    assert content_errors(item, date(2026, 12, 3), None) == []
    cent = Decimal(off_by) / 100
    target = built[which % len(built)]
    if target["mntPrestationTTC"] + cent >= 0:
        target["mntPrestationTTC"] += cent
        codes = {error.code for error in content_errors(item, date(2026, 12, 3), None)}
        assert {"ERR_TOTAL_PRESTATIONS", "ERR_MNT_PREST_TTC", "ERR_MNT_PREST_HT_TVA"} <= codes
