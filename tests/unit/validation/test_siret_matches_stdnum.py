"""The domain checks SIRET and SIREN with the standard library only; python-stdnum is the reference."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import siren, siret

from ogust.domain.validation import _siren_problem, _siret_problem

digits = st.text(alphabet="0123456789", min_size=14, max_size=14)
la_poste = st.text(alphabet="0123456789", min_size=5, max_size=5).map(lambda tail: "356000000" + tail)
luhn_valid = st.integers(0, 10**13 - 1).map(lambda n: _with_luhn_key(f"{n:013d}"))


def _with_luhn_key(body: str) -> str:
    return next(body + key for key in "0123456789" if siret.luhn.is_valid(body + key))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(digits, la_poste, luhn_valid, st.just("35600000000048")))
def test_siret_and_siren_verdicts_equal_python_stdnum(number: str) -> None:
    assert (_siret_problem(number) is None) == siret.is_valid(number)
    assert (_siren_problem(number[:9]) is None) == siren.is_valid(number[:9])
