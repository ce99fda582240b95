"""The planning: interventions are done or cancelled."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ogust.application.commands import CancelIntervention, MarkInterventionDone
from ogust.application.handlers import UowFactory
from ogust.domain.intervention import Intervention


class MarkInterventionDoneHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: MarkInterventionDone) -> Intervention:
        with self.uow() as uow:
            intervention = uow.interventions.get(cmd.company_id, cmd.intervention_id)
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            intervention.mark_done(uow.clock.now(), zone)
            uow.commit()
            return intervention


class CancelInterventionHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: CancelIntervention) -> Intervention:
        with self.uow() as uow:
            intervention = uow.interventions.get(cmd.company_id, cmd.intervention_id)
            invoice = uow.invoices.find(cmd.company_id, intervention.invoice_id) if intervention.invoice_id else None
            number = (invoice.number or "") if invoice else ""
            intervention.cancel(number, draft=invoice is not None and invoice.is_draft)
            uow.commit()
            return intervention
