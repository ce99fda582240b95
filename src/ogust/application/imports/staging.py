"""What an import brings, checked line by line and held in memory until every file is read: then
written in one transaction, or not at all. Look-ups see what the import brings before the database
(an invoice names a client of the clients file read just before)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant
from ogust.domain.invoice import Invoice
from ogust.domain.payment import Payment
from ogust.domain.tarif import Tarif

PAGE = 500  # keys looked up per query


class Staging:
    def __init__(self, uow: UnitOfWork, company_id: str) -> None:
        self.uow = uow
        self.company_id = company_id
        self.company = uow.companies.get(company_id)
        self.zone = ZoneInfo(self.company.timezone)
        self.now: datetime = uow.clock.now()
        self.today: date = self.now.astimezone(self.zone).date()
        self.clients: dict[str, Client] = {}  # new, by email
        self.intervenants: dict[str, Intervenant] = {}  # new, by matricule
        self.invoices: dict[str, Invoice] = {}  # new, by number
        self.payments: list[Payment] = []
        # refused by this import, with the line that refused them: what refers to them says so
        self.refused: dict[tuple[str, str], int] = {}
        self._known: dict[tuple[str, str], object] = {}

    def client(self, email: str) -> Client | None:
        return self.clients.get(email) or self._lookup("client", email, self.uow.clients.by_email)

    def intervenant(self, matricule: str) -> Intervenant | None:
        return self.intervenants.get(matricule) or self._lookup("intervenant", matricule,
                                                                self.uow.intervenants.by_matricule)

    def invoice(self, number: str) -> Invoice | None:
        return self.invoices.get(number) or self._lookup("invoice", number, self.uow.invoices.by_number)

    def prefetch_invoices(self, numbers: Iterable[str]) -> None:
        """Look the invoices of these numbers up by pages, rather than one query each."""
        wanted = sorted({number for number in numbers
                         if number and number not in self.invoices and ("invoice", number) not in self._known})
        for start in range(0, len(wanted), PAGE):
            page = wanted[start:start + PAGE]
            found = {invoice.number: invoice for invoice in self.uow.invoices.by_numbers(self.company_id, page)}
            for number in page:
                self._known[("invoice", number)] = found.get(number)

    def tarif(self, code: str) -> Tarif | None:
        return self._lookup("tarif", code, self.uow.tarifs.by_code)

    def refuse(self, kind: str, key: str, line: int) -> None:
        self.refused.setdefault((kind, key), line)

    def refused_at(self, kind: str, key: str) -> str:
        """« (refusé ligne N de son fichier) » when this import refused the record, else ""."""
        line = self.refused.get((kind, key))
        return f" (refusé ligne {line} de son fichier)" if line else ""

    def is_new(self, invoice: Invoice) -> bool:
        return self.invoices.get(invoice.number or "") is invoice

    def _lookup(self, kind: str, key: str, find: Callable[[str, str], object]):
        if (kind, key) not in self._known:
            self._known[(kind, key)] = find(self.company_id, key)
        return self._known[(kind, key)]

    def write(self) -> None:
        """Add everything new to the unit of work (the invoices the payments settled are in it already)."""
        self.company.history_imported()
        for client in self.clients.values():
            self.uow.clients.add(client)
        for intervenant in self.intervenants.values():
            self.uow.intervenants.add(intervenant)
        for invoice in self.invoices.values():
            self.uow.invoices.add(invoice)
        for payment in self.payments:
            self.uow.payments.add(payment)
