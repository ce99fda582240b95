"""The attestation fiscale: what was received in the year, eligible, not in cash, CESU préfinancés apart;
hours per person and month."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogust.domain.attestation import Attestation, AttestationStatus, eligible_amount, summarise_year
from ogust.domain.errors import InvalidTransition, NothingToAttest, YearNotOver
from ogust.domain.events import AttestationValidated
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from tests.unit.domain.builders import COMPANY, PARIS, at, client, invoice, line, payment


def in_2026(p):
    return p.received_at.year == 2026


def summarise(*args):
    paid = summarise_year(*args)
    return paid.amount, paid.lines, paid.cesu


def test_counts_only_payments_received_in_the_year():
    inv = invoice(line(120))  # 55,00 € TTC
    late = invoice(line(60, performed_on=date(2026, 12, 20)))
    amount, lines, _ = summarise(2026, [(payment(inv), inv), (payment(late, received_at=at(2027, 1, 5)), late)],
                                   in_2026)
    assert amount == Money(5500)
    assert [(l.month, l.minutes) for l in lines] == [(3, 120)]


def test_cash_is_not_counted_other_methods_are():
    inv = invoice(line(120))
    cash = payment(inv, 2000, method=PaymentMethod.CASH)
    cheque = payment(inv, 3500, method=PaymentMethod.CHEQUE)
    amount, _, _ = summarise(2026, [(cash, inv), (cheque, inv)], in_2026)
    assert amount == Money(3500)
    assert eligible_amount(cash, inv) == Money.zero()


def test_non_eligible_lines_are_prorated_out():
    inv = invoice(line(120), line(60, eligible=False))  # 55,00 + 27,50 = 82,50 TTC
    assert inv.total_ttc == Money(8250)
    amount, lines, _ = summarise(2026, [(payment(inv), inv)], in_2026)
    assert amount == Money(5500)
    assert sum(l.minutes for l in lines) == 120
    partial = payment(inv, 4125)  # half the invoice: half of the eligible part
    assert eligible_amount(partial, inv) == Money(2750)


def test_proration_rounds_half_up():
    inv = invoice(line(60, price=1000), line(60, price=1000), line(60, price=1000, eligible=False))  # 3 × 11,00
    assert eligible_amount(payment(inv, 100), inv) == Money(67)  # 66,67 -> 67


def test_minutes_grouped_per_intervenant_and_month():
    inv = invoice(
        line(120, performed_on=date(2026, 3, 2)),
        line(90, performed_on=date(2026, 3, 16)),
        line(60, performed_on=date(2026, 4, 6)),
        line(45, performed_on=date(2026, 3, 9), matricule="M002", name="Ada Lovelace"),
        line(1, performed_on=date(2026, 3, 9), unit=Unit.FLAT, price=3000),  # a forfait: listed, no hours
        line(30, performed_on=None),  # no date: not an intervention
    )
    amount, lines, _ = summarise(2026, [(payment(inv), inv)], in_2026)
    assert amount == inv.total_ttc
    assert [(l.month, l.intervenant_matricule, l.minutes, l.interventions) for l in lines] == [
        (3, "M002", 45, 1), (3, "M001", 210, 3), (4, "M001", 60, 1),
    ]


def test_an_invoice_paid_in_two_payments_counts_its_hours_once():
    inv = invoice(line(120))
    amount, lines, _ = summarise(2026, [(payment(inv, 2000), inv), (payment(inv, 3500), inv)], in_2026)
    assert amount == Money(5500)
    assert [l.minutes for l in lines] == [120]


def test_cesu_prefinances_are_stated_apart_not_in_the_amount_that_opens_the_tax_credit():
    """Rule: the amount actually paid by the client, net of CESU préfinancés; the attestation says
    what was paid in CESU so that the client adds only the part they financed themselves."""
    inv = invoice(line(120), line(60, eligible=False))  # 55,00 eligible + 27,50 not
    cesu = payment(inv, 4125, method=PaymentMethod.CESU)  # half the invoice
    card = payment(inv, 4125)
    amount, lines, paid_in_cesu = summarise(2026, [(cesu, inv), (card, inv)], in_2026)
    assert (amount, paid_in_cesu) == (Money(2750), Money(2750))  # the eligible half of each
    assert [l.minutes for l in lines] == [120]
    assert eligible_amount(cesu, inv) == Money.zero()


def test_an_invoice_paid_all_in_cesu_still_gets_its_attestation_hours_and_cesu_amount():
    inv = invoice(line(120))
    amount, lines, paid_in_cesu = summarise(2026, [(payment(inv, method=PaymentMethod.CESU), inv)], in_2026)
    assert (amount, paid_in_cesu, [l.minutes for l in lines]) == (Money.zero(), Money(5500), [120])


@pytest.mark.parametrize("case", ["nothing", "cash", "other_year", "not_eligible"])
def test_nothing_to_attest(case):
    inv = invoice(line(120, eligible=case != "not_eligible"))
    pay = {"cash": payment(inv, method=PaymentMethod.CASH), "other_year": payment(inv, received_at=at(2025, 12, 31))}
    pairs = [] if case == "nothing" else [(pay.get(case, payment(inv)), inv)]
    with pytest.raises(NothingToAttest) as refused:
        summarise_year(2026, pairs, in_2026)
    assert refused.value.details["year"] == 2026


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 600), st.booleans()), min_size=1, max_size=6), st.integers(1, 200_00))
def test_eligible_share_never_exceeds_the_payment(specs, paid):
    inv = invoice(*(line(minutes, eligible=eligible) for minutes, eligible in specs))
    share = eligible_amount(payment(inv, paid), inv)
    assert 0 <= share.cents <= paid
    if all(eligible for _, eligible in specs):
        assert share.cents == paid


def attestation():
    return Attestation(company_id=COMPANY, client_id="cli-1", year=2026, amount_paid=Money(5500), lines=[])


def test_validated_attestation_cannot_be_recomputed_nor_validated_again():
    a = attestation()
    a.recompute(Money(6000), [])
    a.validate("AF-2026-000001", at(2027, 1, 10), client(id="cli-1"), PARIS)
    assert (a.status, a.number, a.amount_paid) == (AttestationStatus.VALIDATED, "AF-2026-000001", Money(6000))
    assert a.pull_events() == [AttestationValidated(COMPANY, a.id, "AF-2026-000001")]
    with pytest.raises(InvalidTransition):
        a.recompute(Money(1), [])
    with pytest.raises(InvalidTransition):
        a.validate("AF-2026-000002", at(2027, 1, 11), client(id="cli-1"), PARIS)
    assert (a.amount_paid, a.number) == (Money(6000), "AF-2026-000001")


def test_validated_only_once_its_year_is_over_in_the_company_time_zone():
    """31 December 23:30 in Paris is still the year (22:30 UTC); 1 January 00:30 is the next one."""
    a = attestation()
    for still_the_year in (at(2026, 6, 1), at(2026, 12, 31, 22, 30)):
        with pytest.raises(YearNotOver, match="à partir du 1er janvier 2027"):
            a.validate("AF-2026-000001", still_the_year, client(id="cli-1"), PARIS)
        assert (a.status, a.number, a.pull_events()) == (AttestationStatus.DRAFT, None, [])
    a.validate("AF-2026-000001", at(2026, 12, 31, 23, 30), client(id="cli-1"), PARIS)
    assert a.status is AttestationStatus.VALIDATED


def test_interventions_of_the_same_month_of_two_years_are_not_merged():
    inv = invoice(line(60, performed_on=date(2026, 12, 7)), line(90, performed_on=date(2027, 12, 6)))
    _, lines, _ = summarise(2027, [(payment(inv, received_at=at(2027, 12, 20)), inv)],
                              lambda p: p.received_at.year == 2027)
    assert [(l.year, l.month, l.minutes) for l in lines] == [(2026, 12, 60), (2027, 12, 90)]


def test_a_credit_note_on_a_line_not_eligible_leaves_the_payment_all_eligible():
    """55,00 € of services (eligible) and 18,00 € of fees (not): the fees given back by a credit note on
    their line, the 55,00 € paid are all for services; spread over the invoice, the same 18,00 € take
    their share off the services too."""
    from ogust.domain.credit_note import CreditNote, amount_credit_lines, line_credit_lines

    services, fees = line(120), line(1, 1500, VatRate.STANDARD_20, eligible=False, unit=Unit.FLAT)
    bill = invoice(services, fees)
    bill.number = "FA-2026-000001"
    assert bill.total_ttc == Money(7300)

    def note(lines):
        return CreditNote(COMPANY, bill.client_id, bill.id, bill.number, "AV-2026-000001", date(2026, 3, 15),
                          "Frais offerts", lines)

    on_its_line = note(line_credit_lines(bill, 2, None, []))
    assert [(n.vat_rate, n.amount_ttc, n.tax_credit_eligible) for n in on_its_line.lines] == [
        (VatRate.STANDARD_20, Money(1800), False)]
    paid = payment(bill, 5500, method=PaymentMethod.CHEQUE)
    assert eligible_amount(paid, bill, [on_its_line]) == Money(5500)
    spread = note(amount_credit_lines(bill, Money(1800)))
    assert eligible_amount(paid, bill, [spread]) == Money(5500).times(5500 - 1356, 5500)  # its share taken off
    assert eligible_amount(paid, bill) == Money(5500).times(5500, 7300)  # no credit note: the invoice's share


def test_what_the_departement_paid_apa_pch_is_not_on_the_attestation():
    """The rules: the amount actually paid by the client, net of APA/PCH."""
    bill = invoice(line(120))
    assert eligible_amount(payment(bill, 2000, method=PaymentMethod.APA_PCH), bill) == Money(0)
    paid = summarise_year(2026, [(payment(bill, 2000, method=PaymentMethod.APA_PCH), bill),
                                 (payment(bill, 3500, method=PaymentMethod.CHEQUE), bill)], lambda p: True)
    assert (paid.amount, paid.cesu) == (Money(3500), Money(0))
