"""The e-mail log (pending → sent per Message-ID) and the inbox of webhook events already handled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ogust.adapters.persistence.statements import insert_unless_exists, upsert
from ogust.adapters.persistence.tables import email_log, inbox_messages
from ogust.domain.aggregate import new_id


class SqlAlchemyEmailLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def status(self, message_id: str) -> str | None:
        return self.session.scalar(select(email_log.c.status).where(email_log.c.message_id == message_id))

    def record(self, company_id: str, message_id: str, kind: str, to_email: str, status: str,
               at: datetime, error: str | None = None) -> None:
        """Create the record, or move it to ``status`` (one row per Message-ID)."""
        upsert(self.session, email_log, ("message_id",), {
            "id": new_id(), "company_id": company_id, "message_id": message_id, "kind": kind,
            "to_email": to_email, "status": status, "created_at": at, "updated_at": at, "error": error,
        }, update=("status", "updated_at", "error", "to_email"))

    def anonymise(self, company_id: str, to_email: str, replacement: str) -> int:
        """GDPR erasure: the client's address in the log replaced; the record that an email was sent stays."""
        c = email_log.c
        result = self.session.execute(update(email_log).where(c.company_id == company_id, c.to_email == to_email)
                                      .values(to_email=replacement, error=None))
        return result.rowcount or 0

    def list(self, company_id: str) -> list[dict[str, object]]:
        """Oldest first: message_id, kind, to_email, status, at (last change), created_at, error."""
        c = email_log.c
        rows = self.session.execute(
            select(email_log).where(c.company_id == company_id).order_by(c.created_at, c.message_id)
        )
        return [
            {"company_id": row.company_id, "message_id": row.message_id, "kind": row.kind, "to_email": row.to_email,
             "status": row.status, "at": row.updated_at, "created_at": row.created_at, "error": row.error}
            for row in rows
        ]


class SqlAlchemyInbox:
    def __init__(self, session: Session) -> None:
        self.session = session

    def seen(self, source: str, message_id: str) -> bool:
        c = inbox_messages.c
        return bool(self.session.scalar(select(exists().where(c.source == source, c.message_id == message_id))))

    def add(self, source: str, message_id: str, at: datetime) -> None:
        insert_unless_exists(self.session, inbox_messages, ("source", "message_id"),
                             {"source": source, "message_id": message_id, "received_at": at})
