"""A profile or an address changed field by field (a JSON Merge Patch's members): what is left out is
kept, None clears a profile's field, an unknown name is refused."""
from __future__ import annotations

import pytest

from ogust.domain.address import Address
from ogust.domain.errors import InvalidValue
from ogust.domain.intervenant import ShopProfile

PROFILE = ShopProfile("Aide à domicile", ("svc_menage",), ("69003",), ("repassage",))


def test_a_list_given_replaces_that_list_only():
    assert PROFILE.patched({"skills": ["jardinage"]}) == ShopProfile("Aide à domicile", ("svc_menage",), ("69003",),
                                                                     ("jardinage",))


def test_none_clears_a_field_and_nothing_changes_nothing():
    assert PROFILE.patched({"presentation": None, "zones": None}) == ShopProfile("", ("svc_menage",), (),
                                                                                 ("repassage",))
    assert PROFILE.patched({}) == PROFILE


def test_an_address_keeps_what_is_left_out():
    address = Address("5 place Bellecour", "69002", "Lyon")
    assert address.patched({"city": "Villeurbanne", "postal_code": "69100"}) == Address("5 place Bellecour", "69100",
                                                                                        "Villeurbanne")


@pytest.mark.parametrize("patch", [lambda: PROFILE.patched({"photo": "x"}),
                                   lambda: Address("1 rue", "69002", "Lyon").patched({"country": "BE"})])
def test_an_unknown_or_fixed_field_is_refused(patch):
    with pytest.raises(InvalidValue):
        patch()
