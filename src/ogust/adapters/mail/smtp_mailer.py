"""Send notifications through an SMTP server with ``smtplib``.

Errors are sorted for the caller's retry policy:

* while delivering this message (MAIL FROM, RCPT TO, DATA): a 5xx reply is
  ``MailPermanentFailure`` (bad address, message refused), a 4xx reply is ``MailTemporaryFailure``;
* connection refused, timeout, disconnection, TLS error: ``MailTemporaryFailure``;
* while opening the session (greeting, EHLO, STARTTLS, AUTH): ``MailTemporaryFailure`` whatever
  the code, because it is about our configuration or the server, not about this message: a wrong
  password must not mark every pending email as failed for good.

SMTP has no idempotency: a server that took the message but answered after our timeout gets it
twice when we retry. The Message-ID (stable, from ``notification.message_id``) lets the receiving
side recognise the copy; the caller keeps a pending -> sent record so that retries stay rare.
"""
from __future__ import annotations

import smtplib
import ssl
from email.headerregistry import Address

from ogust.adapters.mail.rendering import parse_address, render_email
from ogust.application.ports import MailPermanentFailure, MailTemporaryFailure, Notification


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: Address | str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        use_ssl: bool = False,
        timeout: float = 10,
        *,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        """``sender`` is ``"Name <addr@domain>"`` or ``"addr@domain"``. ``use_ssl`` is implicit
        TLS (port 465), ``starttls`` upgrades a plain connection (port 587). ``ssl_context``
        defaults to the system's trusted CAs with hostname checking."""
        if starttls and use_ssl:
            raise ValueError("choose starttls or use_ssl, not both")
        if (username is None) != (password is None):
            raise ValueError("username and password go together")
        self.host = host
        self.port = port
        self.sender = parse_address(sender)
        self.username = username
        self.password = password
        self.starttls = starttls
        self.use_ssl = use_ssl
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname

    def send(self, notification: Notification) -> None:
        message = render_email(notification, self.sender)
        where = f"SMTP {self.host}:{self.port}"
        smtp = self._open(where)
        delivered = False
        try:
            smtp.send_message(
                message, from_addr=self.sender.addr_spec, to_addrs=[notification.to_email]
            )
            delivered = True
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(notification.to_email, next(iter(exc.recipients.values())))
            raise _by_code(code, f"{where} a refusé le destinataire {notification.to_email} : {code} "
                                 f"{_text(reply)}") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code,
                           f"{where} a refusé le message : {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, timeout, reset
            raise MailTemporaryFailure(f"{where} : échec pendant l'envoi ({_describe(exc)})") from exc
        finally:
            _close(smtp, polite=delivered)

    def _context(self) -> ssl.SSLContext:
        # made once: loading the system's CAs costs about a quarter of a second of CPU
        if self.ssl_context is None:
            self.ssl_context = ssl.create_default_context()
        return self.ssl_context

    def _open(self, where: str) -> smtplib.SMTP:
        smtp: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout,
                    context=self._context(),
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.username is not None:
                smtp.login(self.username, self.password or "")
            return smtp
        except smtplib.SMTPResponseException as exc:
            if smtp is not None:
                _close(smtp, polite=True)
            raise MailTemporaryFailure(
                f"{where} a refusé la session : {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, timeout, TLS, STARTTLS/AUTH not offered
            if smtp is not None:
                _close(smtp, polite=False)
            raise MailTemporaryFailure(f"{where} injoignable ({_describe(exc)})") from exc


def _by_code(code: int, message: str) -> Exception:
    return MailPermanentFailure(message) if code >= 500 else MailTemporaryFailure(message)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(exc: BaseException) -> str:
    """The cause, in French when it is a common one (operators read it in the outbox and ``ogust emails``)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, TimeoutError):
        return "délai dépassé"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connexion fermée par le serveur"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _close(smtp: smtplib.SMTP, *, polite: bool) -> None:
    """QUIT after a clean exchange, then close. Never raises: once the message is accepted, a
    failing QUIT must not turn a delivered email into a retried (duplicated) one."""
    try:
        if polite:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()
