"""French emails rendered from a Notification: content, escaping, headers, Message-ID scheme."""
from __future__ import annotations

import html as html_lib
import re
from datetime import datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from ogust.adapters.mail import rendering
from ogust.adapters.mail.rendering import EmailRenderingError, message_id_header, render_email, required_keys
from ogust.application.ports import EmailKind, MailPermanentFailure
from tests.support.mail_samples import sample_notification

SENDER = "factures@asd.example"
COMMON = {
    "company_name", "company_email", "company_address", "company_sap_number", "client_name", "download_url",
}
INVOICE = COMMON | {"invoice_number", "amount_ttc", "issued_on"}


def parts(msg):
    reparsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    return reparsed, reparsed.get_body(("plain",)).get_content(), reparsed.get_body(("html",)).get_content()


def visible_text(html: str) -> str:
    """What a reader sees: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize(
    "kind, keys",
    [
        (EmailKind.DEBIT_CONFIRMED, INVOICE),
        (EmailKind.DEBIT_FAILED, INVOICE | {"reason"}),
        (EmailKind.AUTHENTICATION_NEEDED, INVOICE | {"payment_url"}),
        (EmailKind.ATTESTATION_AVAILABLE, COMMON | {"attestation_number", "year", "amount_paid", "cesu_paid",
                                                    "replaces_number"}),
        (EmailKind.CREDIT_NOTE_AVAILABLE, INVOICE | {"credit_note_number", "reason", "refund_amount",
                                                    "left_to_pay"}),
        (EmailKind.CREDIT_NOTE_REFUNDED, COMMON | {"invoice_number", "credit_note_number", "refund_amount"}),
        (EmailKind.INVOICE_AVAILABLE, INVOICE | {"left_to_pay"}),
    ],
)
def test_each_kind_uses_exactly_the_keys_the_application_passes(kind, keys):
    assert required_keys(kind) == keys


@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_context_value_appears_in_both_parts_and_the_footer_is_there(kind):
    notification = sample_notification(kind)

    _, text, html = parts(render_email(notification, SENDER))

    for key in required_keys(kind):
        value = notification.context[key]
        assert value in text, key
        assert str(escape(value)) in html, key
    for part in (text, html):
        assert "Organisme de services à la personne déclaré sous le n° SAP123456789" in part
        assert "12 rue de la Paix, 75002 Paris" in part
        assert "Bonjour Zoé Lefèvre," in part


@pytest.mark.parametrize(
    "kind, subject, sentences",
    [
        (
            EmailKind.DEBIT_CONFIRMED,
            "Aide & Services à Domicile – Paiement de votre facture n° F-2026-0042 confirmé",
            ["votre carte bancaire a été débitée de 27,50 € en règlement de la facture n° F-2026-0042 du 28/11/2026",
             "Vous pouvez télécharger votre facture"],
        ),
        (
            EmailKind.DEBIT_FAILED,
            "Aide & Services à Domicile – Le paiement de votre facture n° F-2026-0042 n'a pas abouti",
            ["le paiement a été refusé", "Motif indiqué : Carte refusée par la banque",
             "merci de nous contacter à contact@asd.example : nous conviendrons ensemble d'un nouveau débit sur votre "
             "nouvelle carte ou d'un autre moyen de règlement (chèque, virement, CESU)"],
        ),
        (
            EmailKind.AUTHENTICATION_NEEDED,
            "Aide & Services à Domicile – Merci de confirmer le paiement de votre facture n° F-2026-0042",
            ["votre banque demande que vous confirmiez vous-même le paiement",
             "https://boutique.asd.example/paiement/inv-42"],
        ),
        (
            EmailKind.ATTESTATION_AVAILABLE,
            "Aide & Services à Domicile – Votre attestation fiscale 2026 est disponible",
            ["Votre attestation fiscale n° AF-2026-0007 pour l'année 2026 est disponible",
             "s'élèvent à 1 234,50 €",
             "Vous avez en outre réglé 275,00 € en CESU préfinancés, indiqués à part : seule la part de ces CESU que "
             "vous avez financée vous-même ouvre droit au crédit d'impôt.",
             "crédit d'impôt au titre des services à la personne (article 199 sexdecies du Code général des impôts)"],
        ),
        (
            EmailKind.CREDIT_NOTE_AVAILABLE,
            "Aide & Services à Domicile – Avoir n° AV-2026-0003 sur votre facture n° F-2026-0042",
            ["l'avoir n° AV-2026-0003 du 30/11/2026, d'un montant de 27,50 € TTC, qui corrige votre facture "
             "n° F-2026-0042", "Motif : Intervention annulée",
             "la somme de 27,50 € vous sera remboursée sur la carte utilisée pour le paiement : nous en faisons la "
             "demande à notre prestataire de paiement",
             "Les sommes remboursées ne sont pas retenues sur votre attestation fiscale."],
        ),
        (
            EmailKind.INVOICE_AVAILABLE,
            "Aide & Services à Domicile – Votre facture n° F-2026-0042",
            ["Votre facture n° F-2026-0042 du 28/11/2026, d'un montant de 27,50 € TTC, est disponible.",
             "Montant à régler : 27,50 €, à réception, par virement, chèque, CESU ou espèces, en rappelant le "
             "numéro de la facture."],
        ),
        (
            EmailKind.CREDIT_NOTE_REFUNDED,
            "Aide & Services à Domicile – Remboursement de votre avoir n° AV-2026-0003",
            ["Votre facture n° F-2026-0042 a été débitée en entier sur votre carte bancaire, avant que l'avoir "
             "n° AV-2026-0003 ne vienne la corriger : nous vous avons donc remboursé 27,50 € sur la carte",
             "Les sommes remboursées ne sont pas retenues sur votre attestation fiscale."],
        ),
    ],
)
def test_each_kind_says_what_it_should_in_french(kind, subject, sentences):
    msg, text, html = parts(render_email(sample_notification(kind), SENDER))

    assert msg["Subject"] == subject
    for sentence in sentences:
        assert sentence in text
        assert " ".join(sentence.split()) in visible_text(html).replace(" ,", ",")


def test_emails_promise_nothing_the_product_cannot_do():
    """The shop cannot update a saved card; a card refund is asked for, not yet made, when announced."""
    _, text, html = parts(render_email(sample_notification(EmailKind.DEBIT_FAILED), SENDER))
    for part in (text, visible_text(html)):
        assert "mettre à jour votre carte" not in part and "espace client" not in part
    _, text, html = parts(render_email(sample_notification(EmailKind.CREDIT_NOTE_AVAILABLE), SENDER))
    for part in (text, visible_text(html)):
        assert "est remboursée" not in part


def test_a_credit_note_without_a_card_refund_does_not_speak_of_one():
    _, text, html = parts(render_email(sample_notification(EmailKind.CREDIT_NOTE_AVAILABLE, refund_amount=""),
                                       SENDER))
    for part in (text, visible_text(html)):
        assert "AV-2026-0003" in part and "rembours" not in part


def test_an_attestation_without_cesu_does_not_speak_of_them():
    _, text, html = parts(render_email(sample_notification(EmailKind.ATTESTATION_AVAILABLE, cesu_paid=""), SENDER))
    for part in (text, visible_text(html)):
        assert "AF-2026-0007" in part and "CESU" not in part


@pytest.mark.parametrize("cesu_paid", ["275,00 €", ""], ids=["with CESU", "without"])
def test_the_attestation_text_keeps_its_paragraphs(cesu_paid):
    _, text, _ = parts(render_email(sample_notification(EmailKind.ATTESTATION_AVAILABLE, cesu_paid=cesu_paid),
                                    SENDER))
    assert ("crédit d'impôt.\n\nVous pouvez la télécharger" in text
            or "1 234,50 €.\n\nVous pouvez la télécharger" in text)


def test_the_links_are_buttons_in_html():
    _, _, html = parts(render_email(sample_notification(EmailKind.AUTHENTICATION_NEEDED), SENDER))

    assert 'href="https://boutique.asd.example/paiement/inv-42"' in html
    assert "Confirmer le paiement</a>" in html
    assert 'href="https://boutique.asd.example/documents/facture/inv-42"' in html


def test_a_failed_debit_without_reason_leaves_the_line_out():
    _, text, html = parts(render_email(sample_notification(EmailKind.DEBIT_FAILED, reason=""), SENDER))

    assert "Motif" not in text
    assert "Motif" not in html


def test_a_missing_key_is_a_clear_error_before_anything_is_sent():
    notification = sample_notification(EmailKind.DEBIT_CONFIRMED)
    del notification.context["invoice_number"]
    del notification.context["amount_ttc"]

    with pytest.raises(EmailRenderingError, match="missing context keys: amount_ttc, invoice_number"):
        render_email(notification, SENDER)


def test_strict_undefined_still_catches_a_key_the_check_would_miss(monkeypatch):
    monkeypatch.setattr(rendering, "required_keys", lambda kind: frozenset())
    notification = sample_notification(EmailKind.DEBIT_FAILED)
    del notification.context["reason"]  # used only in {% if %}: undefined, not falsy

    with pytest.raises(EmailRenderingError, match="'reason' is undefined"):
        render_email(notification, SENDER)


def test_a_rendering_error_is_a_permanent_mail_failure():
    assert issubclass(EmailRenderingError, MailPermanentFailure)


def test_html_escapes_the_client_name_and_text_keeps_it_verbatim():
    notification = sample_notification(client_name='<script>alert("x")</script> & Cie')

    _, text, html = parts(render_email(notification, SENDER))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in html
    assert 'Bonjour <script>alert("x")</script> & Cie,' in text


def test_a_link_that_is_not_http_is_refused():
    with pytest.raises(EmailRenderingError, match="download_url is not an http"):
        render_email(sample_notification(download_url="javascript:alert(1)"), SENDER)


def test_multipart_alternative_text_first_then_html_in_utf8():
    msg = render_email(sample_notification(), SENDER)

    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    raw = msg.as_bytes()
    assert raw.isascii()  # headers RFC 2047-encoded, bodies transfer-encoded
    assert b"Subject: Aide & Services =?utf-8?" in raw


def test_addresses_are_encoded_and_parse_back():
    notification = sample_notification(to_name="Zoé Lefèvre, née «Martin»", to_email="zoe@client.example")

    msg, _, _ = parts(render_email(notification, SENDER))

    assert msg["To"].addresses == (Address("Zoé Lefèvre, née «Martin»", addr_spec="zoe@client.example"),)
    assert msg["From"].addresses == (Address("Aide & Services à Domicile", addr_spec="factures@asd.example"),)
    assert msg["Reply-To"].addresses == (Address("Aide & Services à Domicile", addr_spec="contact@asd.example"),)
    assert msg["Auto-Submitted"] == "auto-generated"


def test_a_sender_with_a_display_name_keeps_it():
    msg = render_email(sample_notification(), "Service facturation <factures@asd.example>")

    assert msg["From"].addresses[0].display_name == "Service facturation"


def test_a_line_break_in_a_name_cannot_inject_a_header():
    with pytest.raises(EmailRenderingError):
        render_email(sample_notification(to_name="Zoé\r\nBcc: victim@example.com"), SENDER)


def test_date_is_given_in_paris_time():
    now = datetime(2026, 11, 28, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))

    msg = render_email(sample_notification(), SENDER, now=now)

    assert msg["Date"] == "Sat, 28 Nov 2026 09:30:00 +0100"


# ---------------------------------------------------------------- Message-ID scheme
def test_a_message_id_that_is_already_valid_is_kept():
    msg = render_email(sample_notification(message_id="debit-confirmed.inv-42@asd.example"), SENDER)

    assert msg["Message-ID"] == "<debit-confirmed.inv-42@asd.example>"


@pytest.mark.parametrize(
    "message_id, header",
    [
        ("<abc.def@asd.example>", "<abc.def@asd.example>"),
        ("debit_confirmed:c1/inv-42", "<debit_confirmed=3Ac1=2Finv-42@asd.example>"),
        ("a=b", "<a=3Db@asd.example>"),
        ("facture n°42", "<facture=20n=C2=B042@asd.example>"),
        ("two@at@signs", "<two=40at=40signs@asd.example>"),
    ],
)
def test_other_message_ids_are_encoded_under_the_sender_domain(message_id, header):
    assert message_id_header(message_id, "asd.example") == header


def test_the_message_id_does_not_change_between_renders():
    notification = sample_notification(message_id="debit_confirmed:c1/inv-42")

    first = render_email(notification, SENDER)
    second = render_email(notification, SENDER)

    assert first["Message-ID"] == second["Message-ID"] == "<debit_confirmed=3Ac1=2Finv-42@asd.example>"


def test_ids_that_differ_only_by_punctuation_stay_distinct():
    assert message_id_header("a:b", "d.example") != message_id_header("a/b", "d.example")
    assert message_id_header("a:b", "d.example") != message_id_header("a=3Ab", "d.example")
