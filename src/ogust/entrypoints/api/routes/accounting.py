"""The month's work over REST, as the CLI does it: the accountant's journals (``ogust accounting
export``) and the month-end run (``ogust invoice run``)."""
import dataclasses

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ogust.application import commands as c
from ogust.application.accounting import AccountingJournals
from ogust.application.month_end import MonthEndRun
from ogust.application.periods import parse_month
from ogust.entrypoints.accounting_csv import ENCODING, payments_csv, sales_csv
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.schemas import MONTH_PATTERN, PROBLEM_RESPONSES, MonthEndIn
from ogust.entrypoints.container import Container
from ogust.entrypoints.settings import Settings

router = APIRouter(tags=["Comptabilité"], responses=PROBLEM_RESPONSES)

_CSV = {200: {"content": {"text/csv": {"schema": {"type": "string"}}},
              "description": "CSV « ; », virgule décimale, UTF-8 avec BOM : ce qu'un tableur français ouvre tel quel"}}
Month = Query(..., pattern=MONTH_PATTERN, description="AAAA-MM, mois du fuseau de l'entreprise")


def _csv(text: str, name: str) -> Response:
    return Response(text.encode(ENCODING), media_type="text/csv; charset=utf-8",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/accounting/sales", summary="Journal des ventes du mois (CSV)", response_class=Response,
            responses=_CSV, description="Les factures et avoirs émis dans le mois, base et TVA par taux, avec "
                                        "le total : le fichier ventes-AAAA-MM.csv de `ogust accounting export`.")
@inject
def sales_journal(month: str = Month, company: str = Depends(company_id),
                  journals: AccountingJournals = Depends(Provide[Container.accounting])) -> Response:
    year, number = parse_month(month)
    text, _ = sales_csv(journals.sales(company, year, number))
    return _csv(text, f"ventes-{year}-{number:02d}.csv")


@router.get("/accounting/payments", summary="Journal des règlements du mois (CSV)", response_class=Response,
            responses=_CSV, description="Les règlements reçus et les remboursements du mois, avec le total : le "
                                        "fichier reglements-AAAA-MM.csv de `ogust accounting export`.")
@inject
def payments_journal(month: str = Month, company: str = Depends(company_id),
                     journals: AccountingJournals = Depends(Provide[Container.accounting])) -> Response:
    year, number = parse_month(month)
    text, _ = payments_csv(journals.payments(company, year, number))
    return _csv(text, f"reglements-{year}-{number:02d}.csv")


@router.post("/month-end", response_model=out.MonthEndReport, summary="Fin de mois : facturer, valider, débiter",
             tags=["Factures"],
             description="Comme `ogust invoice run` : une facture par client des interventions réalisées du mois, "
                         "validées, cartes débitées au plus à la cadence donnée. Relancée, elle reprend sans débiter "
                         "personne deux fois. Les publications et emails sont faits par les workers.")
@inject
def month_end(body: MonthEndIn, company: str = Depends(company_id),
              run: MonthEndRun = Depends(Provide[Container.month_end]),
              settings: Settings = Depends(Provide[Container.settings])) -> dict:
    year, month = parse_month(body.month)
    report = run(c.RunMonthEnd(company, year, month, body.concurrency or settings.month_end_concurrency,
                               body.rate or settings.payment_rate_limit))
    money = {"validated_ttc": report.validated_ttc, "debited": report.debited, "declined": report.declined}
    said = {name: value for name, value in dataclasses.asdict(report).items() if name not in money}
    return said | {f"{name}_cents": amount.cents for name, amount in money.items()}
