"""The planning: an operator books an intervention; interventions are done or cancelled."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ogust.application.commands import CancelIntervention, MarkInterventionDone, PlanIntervention
from ogust.application.handlers import UowFactory, checked_again
from ogust.domain.errors import SlotUnavailable
from ogust.domain.intervention import Intervention, ensure_slot_bookable


class PlanInterventionHandler:
    """Planifier une intervention by hand (a client met by phone, a regular visit): the checks of an
    online order — the slot ahead and free in the intervenant's planning, the intervenant active, the
    client not erased — at the client's address. The database's no-overlap constraint is the last word
    when another booking of the intervenant commits first."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: PlanIntervention) -> Intervention:
        # refused by the database, the booking is checked again: it then names the intervention that took the slot
        return checked_again(lambda: self._plan(cmd), SlotUnavailable)

    def _plan(self, cmd: PlanIntervention) -> Intervention:
        with self.uow() as uow:
            client = uow.clients.get(cmd.company_id, cmd.client_id)
            client.require_not_erased()
            intervenant = uow.intervenants.get(cmd.company_id, cmd.intervenant_id)
            intervenant.require_active()
            tarif = uow.tarifs.get(cmd.company_id, cmd.tarif_id)
            intervention = Intervention(company_id=cmd.company_id, client_id=client.id, intervenant_id=intervenant.id,
                                        tarif_id=tarif.id, start=cmd.start, end=cmd.end, address=client.address)
            planning = uow.interventions.for_intervenant(cmd.company_id, intervenant.id, cmd.start, cmd.end)
            ensure_slot_bookable(cmd.start, cmd.end, uow.clock.now(), planning, intervenant.full_name)
            uow.interventions.add(intervention)
            uow.commit()
            return intervention


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
