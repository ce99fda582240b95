"""Email adapters: French Jinja2 templates rendered to MIME messages, sent by SMTP or written to
files on a machine without an SMTP server."""
from ogust.adapters.mail.file_mailer import FileMailer
from ogust.adapters.mail.rendering import EmailRenderingError, render_email, required_keys
from ogust.adapters.mail.smtp_mailer import SmtpMailer

__all__ = ["EmailRenderingError", "FileMailer", "SmtpMailer", "render_email", "required_keys"]
