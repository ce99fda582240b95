"""The README's CLI story, played command by command as written against a fresh ``ogust demo``, on the
day the test runs: attestation validation included. When the README and the product disagree, this
test breaks."""
from __future__ import annotations

import importlib.util
import json
from datetime import date
from email import message_from_bytes, policy

import httpx
import pytest

from ogust_shop.account_page import STATUSES
from tests.support.browser import ARTEFACTS, Chromium, find_chromium, table_and_ids
from tests.support.readme_story import README, refused_commands, running_demo, story_blocks, story_script

needs_demo = pytest.mark.skipif(
    not (importlib.util.find_spec("localstripe") and importlib.util.find_spec("aiosmtpd")),
    reason="ogust demo needs its extra (pip install -e '.[demo]'): localstripe, aiosmtpd")


def test_the_story_is_found_and_says_what_is_refused():
    blocks = story_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    assert refused_commands("\n".join(blocks)) == [
        "$O shop map svc_menage MEN2", "$O intervention plan jean.dupont@example.fr --intervenant M001 $P",
        "$O attestation validate $NOW"]
    script = story_script(README.read_text(encoding="utf-8"))
    assert "if $O shop map svc_menage MEN2; then" in script and "2027" not in script
    assert "if $O attestation validate $NOW; then" in script


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with running_demo(tmp_path_factory.mktemp("readme-story")) as running:
        yield running


def _json(done) -> object:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_demo
def test_the_readme_story_runs_as_written_on_today_s_date(demo):
    script = story_script(README.read_text(encoding="utf-8"))
    done = demo.bash(script)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "readme-story.log").write_text(f"{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}",
                                                encoding="utf-8")
    numbered = "\n".join(f"{n:4} {line}" for n, line in enumerate(script.splitlines(), start=1))
    assert done.returncode == 0, (f"README story failed (exit {done.returncode})\n--- stderr\n{done.stderr[-6000:]}"
                                  f"\n--- stdout (end)\n{done.stdout[-3000:]}\n--- script\n{numbered}")

    last_year = date.today().year - 1
    # last year's attestation fiscale of Claire: validated, numbered, published and emailed
    [attestation] = [a for a in _json(demo.ogust("attestation", "list", "--year", str(last_year), "--json"))
                     if a["status"] == "validated"]
    assert attestation["number"] and attestation["amount_paid"]
    claire = _json(demo.ogust("client", "show", "claire.dubois@example.fr", "--json"))
    assert attestation["client_id"] == claire["id"]
    inbox = [message_from_bytes(path.read_bytes(), policy=policy.default)
             for path in (demo.root / "var" / "mail" / "inbox").glob("*.eml")]
    assert any(attestation["number"] in str(m["Subject"]) + m.get_body(("plain",)).get_content()
               and "claire.dubois@example.fr" in str(m["To"]) for m in inbox)

    # today's invoices: Claire's card debited, Henri and Léa paid otherwise
    invoices = _json(demo.ogust("invoice", "list", "--json"))
    today = [i for i in invoices if (i["issued_on"] or "").startswith(str(date.today().year))]
    assert {i["status"] for i in today} == {"paid"}, today
    assert any(i["source"] == "devis" and i["client_id"] == claire["id"] for i in today)

    # her « Mon compte » page, as the shop renders what ogust published (in a browser when there is one)
    url = f"http://127.0.0.1:{demo.shop}/accounts/acc_demo/clients/{claire['shop_client_id']}"
    page = httpx.get(url).text
    assert "Avoir" in page and "Attestation fiscale" in page and attestation["number"] in page
    for english in ("refunded", "validated", "issued"):
        assert english not in page
    if (chromium := find_chromium()) is not None:
        rows, by_id = table_and_ids(Chromium(chromium).dom(url))
        statuses = {row[2]: row[6] for row in rows[1:]}
        assert statuses[attestation["number"]] == "Validée"
        assert set(statuses.values()) <= {label for labels in STATUSES.values() for label in labels.values()}
        assert "Remboursé" in statuses.values() and "Payée" in statuses.values()
        assert by_id["reste-a-payer"] == "Rien à payer."
        Chromium(chromium).screenshot(url, ARTEFACTS / "mon-compte-demo.png")


def test_no_output_of_the_story_lands_outside_var():
    """Files the story writes go under var/, which git ignores."""
    script = story_script(README.read_text(encoding="utf-8"))
    for line in script.splitlines():
        if " -o " in line:
            assert " -o var/" in line, line
