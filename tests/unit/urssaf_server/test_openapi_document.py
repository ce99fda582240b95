"""docs/urssaf-tiers-prestation.openapi.yaml is a valid OpenAPI document, and the reference server
and the adapter speak the same codes as it does."""
import re
from pathlib import Path

import pytest

from ogust.adapters.urssaf.messages import EXPLAINED
from ogust.application.ports import UrssafClientStatus, UrssafRequestStatus
from ogust_urssaf.errors import MESSAGES
from ogust_urssaf.lifecycle import LABELS
from tests.support.urssaf_contract import document

SERVER = Path(__file__).resolve().parents[3] / "src" / "ogust_urssaf"


def test_the_document_is_valid_openapi():
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document())


def test_request_statuses_are_the_documented_ones_everywhere():
    documented = document()["components"]["schemas"]["Statut"]["properties"]["code"]["enum"]
    assert sorted(LABELS) == sorted(documented)
    assert sorted(status.value for status in UrssafRequestStatus) == sorted(documented)


def test_client_statuses_are_the_documented_ones():
    documented = document()["components"]["schemas"]["StatutParticulier"]["properties"]["statutCode"]["enum"]
    assert sorted(status.value for status in UrssafClientStatus) == sorted(documented)


def test_every_code_the_server_raises_has_its_message_and_the_adapter_explains_urssaf_ones():
    raised = set()
    for module in SERVER.glob("*.py"):
        raised |= set(re.findall(r'Erreur\("([A-Z_]+)"', module.read_text(encoding="utf-8")))
    assert raised, "no error code found: the pattern no longer matches the code"
    assert raised <= set(MESSAGES), raised - set(MESSAGES)
    ours = {"TRANSITION_REFUSEE", "TIERS_EXISTANT", "ERR_RECHERCHE_VIDE"}  # admin-only, or handled as « none »
    assert raised - ours <= set(EXPLAINED), (raised - ours) - set(EXPLAINED)
