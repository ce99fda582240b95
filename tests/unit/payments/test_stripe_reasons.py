"""Stripe's refusals said in French, whichever way they arrive: the debit's answer or a webhook."""
from __future__ import annotations

import pytest

from ogust.adapters.payments.stripe_gateway import decline_reason


@pytest.mark.parametrize("error,said", [
    ({"code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."},
     "Provision insuffisante"),
    ({"code": "card_declined", "message": "Your card was declined."}, "Carte refusée"),
    ({"code": "payment_intent_authentication_failure", "message": "The provided PaymentMethod has failed "
      "authentication."}, "L'authentification 3-D Secure a échoué"),
    (None, ""),
])
def test_a_webhook_failure_is_said_in_french_as_the_debits_own_answer(error, said):
    """The invoice, its PDF and `invoice show` said Stripe's « Your card was declined. » after a webhook."""
    assert decline_reason(error) == said
