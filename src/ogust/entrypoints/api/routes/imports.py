"""Reprise de l'historique: one CSV file of the former software per request (text/csv), checked line
by line and imported whole, or refused whole with each line at fault."""
from typing import Literal

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ogust.application.commands import ImportFile, ImportHistory
from ogust.application.handlers.imports import ImportHistoryHandler
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.problems import problem
from ogust.entrypoints.api.schemas import PROBLEM_RESPONSES
from ogust.entrypoints.container import Container
from ogust.entrypoints.import_view import report_dict

router = APIRouter(tags=["Reprise de l'historique"], responses=PROBLEM_RESPONSES)


class ImportRefusal(BaseModel):
    line: int
    column: str | None
    reason: str


class ImportedFile(BaseModel):
    kind: Literal["clients", "intervenants", "invoices", "payments"]
    name: str
    encoding: str
    lines: int
    created: int
    unchanged: int
    refusals: list[ImportRefusal]


class ImportReport(BaseModel):
    imported: bool
    dry_run: bool
    refused: int
    files: list[ImportedFile]


@router.post(
    "/imports/{kind}", response_model=ImportReport,
    summary="Importer un fichier CSV de l'ancien logiciel (clients, intervenants, factures, règlements)",
    description="Le corps est le fichier CSV lui-même (`text/csv` : « ; » entre les colonnes, virgule décimale, "
                "dates JJ/MM/AAAA, UTF-8 ou Windows-1252), de 1 Mio au plus (au-delà : découpez-le, ou "
                "`ogust import`). Ses colonnes sont décrites dans le README (« Reprendre l'historique »). Chaque "
                "ligne est vérifiée ; tout est importé en une seule transaction, ou rien : une ligne refusée "
                "donne un 422 `import_refused` dont `report` nomme chaque ligne, sa colonne et la raison. "
                "`dry_run=true` vérifie sans rien écrire. Réimporter le même fichier ne change rien.",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_file(kind: Literal["clients", "intervenants", "invoices", "payments"], request: Request,
                      dry_run: bool = Query(False, description="vérifier seulement, sans rien écrire"),
                      company: str = Depends(company_id)) -> JSONResponse:
    content = await request.body()
    report = await run_in_threadpool(_handler(), ImportHistory(company, (ImportFile(kind, content, f"{kind}.csv"),),
                                                               dry_run))
    body = report_dict(report)
    if report.refusals:
        return problem(422, "import_refused", f"{len(report.refusals)} ligne(s) refusée(s) : rien n'a été importé.",
                       request.url.path, report=body)
    return JSONResponse(body)


@inject
def _handler(handler: ImportHistoryHandler = Provide[Container.import_history]) -> ImportHistoryHandler:
    return handler
