"""What an import says back: each line refused (its number, its column, why, in French) and what
was created or found already there."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ImportKind(Enum):
    """The kinds of file, in the order a history is brought in (each refers to the ones before)."""

    CLIENTS = "clients"
    INTERVENANTS = "intervenants"
    INVOICES = "invoices"
    PAYMENTS = "payments"

    @property
    def label_fr(self) -> str:
        return {"clients": "clients", "intervenants": "intervenants", "invoices": "factures",
                "payments": "règlements"}[self.value]


@dataclass(frozen=True)
class Refusal:
    """A line refused: ``line`` is the file's line number (the header is line 1), ``column`` the
    column at fault (None: the whole line, or the file)."""

    line: int
    column: str | None
    reason: str

    def said(self) -> str:
        where = f"ligne {self.line}" + (f", colonne {self.column}" if self.column else "")
        return f"{where} : {self.reason}"


@dataclass
class FileReport:
    kind: ImportKind
    name: str = ""
    encoding: str = "utf-8"
    lines: int = 0  # data lines read (the header and blank lines left out)
    created: int = 0  # records (clients, intervenants, invoices, payments) new in ogust
    unchanged: int = 0  # already there (an earlier import of the same file): left as they are
    refusals: list[Refusal] = field(default_factory=list)

    def refuse(self, line: int, column: str | None, reason: str) -> None:
        self.refusals.append(Refusal(line, column, reason))


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    imported: bool = False  # written to the database (no refusal, not a dry run)

    @property
    def refusals(self) -> list[tuple[FileReport, Refusal]]:
        return [(file, refusal) for file in self.files for refusal in file.refusals]

    @property
    def accepted(self) -> bool:
        return not self.refusals
