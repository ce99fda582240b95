"""Render a ``Notification`` to a multipart/alternative ``EmailMessage`` (text + HTML, French).

Templates live in ``templates/``: ``<kind>.subject.j2``, ``<kind>.txt.j2`` and ``<kind>.html.j2``
for each ``EmailKind``; the HTML ones (and only they) are autoescaped. Every context key a
template uses is required: a missing one raises ``EmailRenderingError`` before anything is sent.

Message-ID scheme — the id must stay the same on every retry of one email, so it is derived only
from ``notification.message_id`` and the sender's domain, never from time or randomness:

* an id that already is ``left@right`` in RFC 5322 dot-atom form (``<...>`` optional) is used
  as it is: ``"inv-42.debit@mail.example.fr"`` -> ``<inv-42.debit@mail.example.fr>``;
* any other id becomes the left part, with every character outside ``[A-Za-z0-9_-]`` written
  as ``=HH`` (its UTF-8 bytes in hex, ``=`` included, so the mapping is reversible and two
  ids never collide), and the sender's domain the right part:
  ``"debit_confirmed:c1/inv-42"`` from ``factures@exemple.fr`` ->
  ``<debit_confirmed=3Ac1=2Finv-42@exemple.fr>``.
"""
from __future__ import annotations

import re
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, meta, select_autoescape

from ogust.application.ports import EmailKind, MailPermanentFailure, Notification

TEMPLATES = Path(__file__).parent / "templates"
PARTS = ("subject.j2", "txt.j2", "html.j2")
PARIS = ZoneInfo("Europe/Paris")

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_MESSAGE_ID = re.compile(rf"{_DOT_ATOM}@{_DOT_ATOM}")
_KEPT = re.compile(r"[A-Za-z0-9_-]")

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


class EmailRenderingError(MailPermanentFailure):
    """The email cannot be built (missing context key, bad address, link that is not http(s)).
    Retrying the same notification will not help: the caller must fix its data."""


@cache
def required_keys(kind: EmailKind) -> frozenset[str]:
    """The context keys the templates of ``kind`` use, including the shared layout and footer."""
    keys: set[str] = set()
    seen: set[str] = set()
    pending = [f"{kind.value}.{part}" for part in PARTS]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        source, _, _ = _env.loader.get_source(_env, name)
        tree = _env.parse(source)
        keys |= meta.find_undeclared_variables(tree)
        pending.extend(ref for ref in meta.find_referenced_templates(tree) if ref)
    return frozenset(keys)


def render_email(
    notification: Notification, sender: Address | str, *, now: datetime | None = None
) -> EmailMessage:
    """Build the email for ``notification``, from ``sender`` ("Name <addr>" or an Address).

    From: the sender; when it has no display name, the company's name is shown.
    Reply-To: the company's address when the context gives one, so answers reach the company.
    """
    context = notification.context
    _check_context(notification)
    sender = parse_address(sender)
    if not sender.display_name and context.get("company_name"):
        sender = Address(context["company_name"], sender.username, sender.domain)
    try:
        subject, text, html = (
            _env.get_template(f"{notification.kind.value}.{part}").render(context) for part in PARTS
        )
        msg = EmailMessage()
        msg["Subject"] = " ".join(subject.split())
        msg["From"] = sender
        msg["To"] = Address(notification.to_name, addr_spec=notification.to_email)
        if context.get("company_email"):
            msg["Reply-To"] = Address(context.get("company_name", ""), addr_spec=context["company_email"])
        msg["Date"] = now or datetime.now(PARIS)
        msg["Message-ID"] = message_id_header(notification.message_id, sender.domain)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        msg["Content-Language"] = "fr"
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
        msg.as_bytes()  # fail here, not in the middle of an SMTP session
    except (TemplateError, ValueError, MessageError) as exc:
        raise EmailRenderingError(
            f"cannot build email {notification.message_id!r} ({notification.kind.value}): {exc}"
        ) from exc
    return msg


def message_id_header(message_id: str, domain: str) -> str:
    """``<id>``, following the scheme in this module's docstring."""
    bare = message_id.strip().removeprefix("<").removesuffix(">")
    if not bare:
        raise EmailRenderingError("empty message id")
    if _MESSAGE_ID.fullmatch(bare):
        return f"<{bare}>"
    left = "".join(
        ch if _KEPT.fullmatch(ch) else "".join(f"={b:02X}" for b in ch.encode()) for ch in bare
    )
    return f"<{left}@{domain or 'ogust.invalid'}>"


def parse_address(value: Address | str) -> Address:
    """``"Name <addr@domain>"``, ``"addr@domain"`` or an Address, checked to have a domain."""
    if isinstance(value, Address):
        return value
    name, addr = parseaddr(value)
    try:
        address = Address(name, addr_spec=addr)
    except (ValueError, MessageError) as exc:
        raise ValueError(f"invalid sender address {value!r}: {exc}") from exc
    if not address.domain:
        raise ValueError(f"invalid sender address {value!r}: no domain")
    return address


def _check_context(notification: Notification) -> None:
    context = notification.context
    missing = sorted(required_keys(notification.kind) - context.keys())
    if missing:
        raise EmailRenderingError(
            f"cannot render {notification.kind.value} email {notification.message_id!r}: "
            f"missing context keys: {', '.join(missing)}"
        )
    for key, value in context.items():
        if key.endswith("_url") and not re.match(r"https?://", value):
            raise EmailRenderingError(
                f"cannot render {notification.kind.value} email {notification.message_id!r}: "
                f"{key} is not an http(s) link: {value!r}"
            )
