"""Clients and intervenants: required fields, email normalisation, Stripe ids, updates."""
from __future__ import annotations

import pytest

from ogust.domain.errors import InvalidValue, NoPaymentMethod, ServiceNotOffered
from ogust.domain.intervenant import ShopProfile
from tests.unit.domain.builders import client, intervenant


def test_email_is_trimmed_and_lowercased():
    assert client(email="  Jean.Dupont@Example.FR ").email == "jean.dupont@example.fr"


@pytest.mark.parametrize("email", [
    "", "jean", "@example.fr", "jean@", "jean@@example.fr", "jean@exa@mple.fr", "jean dupont@example.fr",
    "jean@example", "jean@.fr", "jean@example.",
    "faux@efface.invalid",  # what an erasure leaves: a client typed with it could never be erased
])
def test_bad_emails_are_refused(email):
    with pytest.raises(InvalidValue) as refused:
        client(email=email)
    assert refused.value.details["field"] == "email"


@pytest.mark.parametrize("email", ["a@b.fr", "jean.dupont+ogust@mail.example.fr", "o'neil@example.com"])
def test_plain_emails_are_accepted(email):
    assert client(email=email).email == email


@pytest.mark.parametrize("names", [("", "Dupont"), ("Jean", "  ")])
def test_client_names_are_required(names):
    with pytest.raises(InvalidValue):
        client(first_name=names[0], last_name=names[1])


def test_refused_update_leaves_the_client_unchanged():
    person = client()
    with pytest.raises(InvalidValue):
        person.update(email="not-an-email")
    assert person.email == "jean@example.fr"
    with pytest.raises(InvalidValue):
        person.update(first_name="Paul", last_name="")
    assert (person.first_name, person.last_name) == ("Jean", "Dupont")


def test_update_normalises_and_refuses_unknown_fields():
    person = client()
    person.update(email=" PAUL@Example.fr", phone="0601020304")
    assert (person.email, person.phone) == ("paul@example.fr", "0601020304")
    with pytest.raises(InvalidValue):
        person.update(stripe_customer_id="cus_x")
    assert person.stripe_customer_id is None


def test_stripe_ids_format_and_requirement():
    person = client()
    with pytest.raises(NoPaymentMethod):
        person.require_payment_method()
    for customer, method in [("cust_1", "pm_1"), ("cus_1", "card_1"), ("", "pm_1"), ("cus_1", "")]:
        with pytest.raises(InvalidValue):
            person.save_payment_method(customer, method)
    assert person.stripe_customer_id is None
    person.save_payment_method("cus_1", "pm_1")
    assert person.require_payment_method() == ("cus_1", "pm_1")


def test_intervenant_matricule_and_names_are_required():
    with pytest.raises(InvalidValue):
        intervenant(matricule=" ")
    with pytest.raises(InvalidValue):
        intervenant(first_name="")


def test_refused_intervenant_update_leaves_it_unchanged():
    person = intervenant()
    with pytest.raises(InvalidValue):
        person.update(last_name=" ")
    assert person.last_name == "Curie"
    with pytest.raises(InvalidValue):
        person.update(matricule="M999")
    assert person.matricule == "M001"


def test_intervenant_must_offer_the_service():
    person = intervenant(profile=ShopProfile(services=("svc_menage",)))
    person.require_offers("svc_menage")
    with pytest.raises(ServiceNotOffered) as refused:
        person.require_offers("svc_garde")
    assert refused.value.details == {"intervenant": "Marie Curie", "shop_service_id": "svc_garde"}


@pytest.mark.parametrize("changes,field,message", [
    ({"profile": ShopProfile(presentation="x" * 2001)}, "profile.presentation",
     "Présentation : trop long (au plus 2000 caractères)."),
    ({"profile": ShopProfile(skills=("r" * 81,))}, "profile.skills", "Compétence : trop long (au plus 80 caractères)."),
    ({"first_name": "A" * 101}, "first_name", "Prénom : trop long (au plus 100 caractères)."),
])
def test_an_intervenant_is_held_to_what_the_shop_takes(changes, field, message):
    """Accepted here and refused by the shop (in English), the sync job went dead: refused here, in French."""
    worker = intervenant()
    with pytest.raises(InvalidValue) as refused:
        worker.update(**changes)
    assert (refused.value.details["field"], refused.value.message) == (field, message)
    worker.update(profile=ShopProfile(presentation="x" * 2000, skills=("r" * 80,)), first_name="A" * 100)


def test_a_client_name_is_held_to_what_the_shop_takes():
    with pytest.raises(InvalidValue):
        client().update(last_name="B" * 101)
    client().update(last_name="B" * 100)
