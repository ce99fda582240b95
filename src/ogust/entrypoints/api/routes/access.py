"""The audit log of the key's company (append-only: read here, never changed)."""
from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id

router = APIRouter(tags=["Sécurité"])


def audit_entry(entry) -> dict:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "entity_type": entry.entity_type,
            "entity_id": entry.entity_id, "action": entry.action, "changes": entry.changes,
            "redacted_at": entry.redacted_at.isoformat() if entry.redacted_at else None}


@router.get("/audit", response_model=list[out.AuditEntry], summary="Journal d'audit",
            description="Chaque changement d'état : qui (clé d'API, CLI, worker, webhook), quoi, quand, "
                        "avant/après (champs changés seulement ; jamais de secret ni d'identifiant de carte). "
                        "Du plus récent au plus ancien.")
async def audit(request: Request, entity: str | None = Query(None, max_length=36, description="Id d'un objet"),
                limit: int = Query(100, ge=1, le=1000), company: str = Depends(company_id)) -> list[dict]:
    log = request.app.state.container.audit_log()
    entries = await run_in_threadpool(log.entries, company, entity, limit)
    return [audit_entry(e) for e in entries]
