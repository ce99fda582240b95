"""SmtpMailer against a real SMTP server (aiosmtpd) scripted to fail, hang or go away."""
from __future__ import annotations

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from ogust.adapters.mail import SmtpMailer
from ogust.application.ports import EmailKind, MailPermanentFailure, MailTemporaryFailure
from tests.support.mail_samples import sample_notification
from tests.support.smtp_server import SmtpTestServer

pytestmark = pytest.mark.integration

SENDER = "factures@asd.example"


def mailer_for(server: SmtpTestServer, **kwargs) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", server.port, SENDER, **{"timeout": 5, **kwargs})


def test_delivers_a_french_email_with_both_parts_and_the_notification_message_id(smtp_server):
    notification = sample_notification(EmailKind.DEBIT_CONFIRMED)

    mailer_for(smtp_server).send(notification)

    [received] = smtp_server.received
    assert received.mail_from == "factures@asd.example"
    assert received.rcpt_tos == ["zoe.lefevre@client.example"]
    email = received.message
    assert email["Subject"] == "Aide & Services à Domicile – Paiement de votre facture n° F-2026-0042 confirmé"
    assert email["Message-ID"] == "<debit-confirmed.inv-42@asd.example>"
    assert email["To"].addresses[0].display_name == "Zoé Lefèvre"
    assert email["From"].addresses[0].display_name == "Aide & Services à Domicile"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    assert "votre carte bancaire a été débitée de 27,50 €" in text
    assert "https://boutique.asd.example/documents/facture/inv-42" in text
    assert 'href="https://boutique.asd.example/documents/facture/inv-42"' in html


def test_a_451_is_temporary_and_the_retry_delivers_exactly_one_email(smtp_server):
    smtp_server.fail_next("DATA", 451)
    mailer = mailer_for(smtp_server)
    notification = sample_notification(EmailKind.DEBIT_FAILED)

    with pytest.raises(MailTemporaryFailure, match="451"):
        mailer.send(notification)
    assert smtp_server.messages == []

    mailer.send(notification)

    [email] = smtp_server.messages
    assert email["Message-ID"] == "<debit-confirmed.inv-42@asd.example>"


def test_a_451_on_the_recipient_is_temporary(smtp_server):
    smtp_server.fail_next("RCPT", 451)

    with pytest.raises(MailTemporaryFailure, match="451"):
        mailer_for(smtp_server).send(sample_notification())
    assert smtp_server.messages == []


def test_a_550_on_the_recipient_is_permanent_with_the_server_reply(smtp_server):
    smtp_server.fail_next("RCPT", 550)

    with pytest.raises(MailPermanentFailure, match="550 5.1.1 Mailbox unavailable") as error:
        mailer_for(smtp_server).send(sample_notification())
    assert "zoe.lefevre@client.example" in str(error.value)
    assert smtp_server.messages == []


def test_a_554_on_data_is_permanent(smtp_server):
    smtp_server.fail_next("DATA", 554)

    with pytest.raises(MailPermanentFailure, match="554"):
        mailer_for(smtp_server).send(sample_notification())


def test_server_down_is_temporary_then_the_email_is_delivered_once_it_is_back(smtp_server):
    mailer = mailer_for(smtp_server)
    notification = sample_notification(EmailKind.AUTHENTICATION_NEEDED)
    smtp_server.stop()

    with pytest.raises(MailTemporaryFailure, match="injoignable \\(connexion refusée\\)"):
        mailer.send(notification)

    smtp_server.start()  # same port
    mailer.send(notification)
    [email] = smtp_server.messages
    assert "https://boutique.asd.example/paiement/inv-42" in email.get_body(("plain",)).get_content()


def test_a_reply_after_the_timeout_is_temporary_and_the_retry_duplicates_with_the_same_message_id(
    smtp_server,
):
    """SMTP has no idempotency: the server kept the first copy. The stable Message-ID is what lets
    the receiving side (and anyone reading the logs) tell the copies are one email."""
    smtp_server.answer_late("DATA", seconds=1.5)
    mailer = mailer_for(smtp_server, timeout=0.5)
    notification = sample_notification()

    with pytest.raises(MailTemporaryFailure, match="échec pendant l.envoi"):
        mailer.send(notification)
    mailer.send(notification)

    first, second = smtp_server.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"] == "<debit-confirmed.inv-42@asd.example>"


def _accept(username: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == username.encode() and (
            auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


def test_starttls_then_auth_delivers(self_signed_cert):
    server = SmtpTestServer(
        tls_context=self_signed_cert.server_context(),
        require_starttls=True,
        authenticator=_accept("asd", "s3cret"),
        auth_required=True,
    )
    with server:
        mailer = mailer_for(
            server, username="asd", password="s3cret", starttls=True,
            ssl_context=self_signed_cert.client_context(),
        )
        mailer.send(sample_notification(EmailKind.ATTESTATION_AVAILABLE))

        [received] = server.received
    assert received.login == "asd"
    assert "199 sexdecies" in received.message.get_body(("plain",)).get_content()


def test_starttls_refuses_a_certificate_the_client_does_not_trust(self_signed_cert):
    server = SmtpTestServer(tls_context=self_signed_cert.server_context(), require_starttls=True)
    with server:
        mailer = mailer_for(server, starttls=True)  # system CAs: the self-signed cert is unknown

        with pytest.raises(MailTemporaryFailure, match="CERTIFICATE_VERIFY_FAILED"):
            mailer.send(sample_notification())
        assert server.messages == []


def test_implicit_tls_delivers(self_signed_cert):
    server = SmtpTestServer(ssl_context=self_signed_cert.server_context())
    with server:
        mailer_for(server, use_ssl=True, ssl_context=self_signed_cert.client_context()).send(
            sample_notification()
        )
        assert len(server.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_auth_without_tls_when_the_server_allows_it():
    """``auth_require_tls=False`` only so that AUTH is tested even where TLS cannot be set up;
    production servers should keep requiring TLS."""
    server = SmtpTestServer(authenticator=_accept("asd", "s3cret"), auth_required=True, auth_require_tls=False)
    with server:
        mailer_for(server, username="asd", password="s3cret").send(sample_notification())
        [received] = server.received
    assert received.login == "asd"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_wrong_password_is_temporary_so_that_pending_emails_survive_a_configuration_fix():
    server = SmtpTestServer(authenticator=_accept("asd", "s3cret"), auth_required=True, auth_require_tls=False)
    with server:
        with pytest.raises(MailTemporaryFailure, match="535"):
            mailer_for(server, username="asd", password="wrong").send(sample_notification())
        assert server.messages == []


def test_auth_offered_only_after_starttls_is_not_attempted_in_clear(self_signed_cert):
    server = SmtpTestServer(
        tls_context=self_signed_cert.server_context(), authenticator=_accept("asd", "s3cret"), auth_required=True
    )
    with server:
        with pytest.raises(MailTemporaryFailure, match="SMTPNotSupportedError"):
            mailer_for(server, username="asd", password="s3cret").send(sample_notification())
