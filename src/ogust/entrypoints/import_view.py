"""An import's report as the CLI prints it and the API and ``--json`` give it."""
from __future__ import annotations

from ogust.application.imports.report import FileReport, ImportReport

MOST_SHOWN = 200  # refusals printed by the CLI; --json gives them all


def report_dict(report: ImportReport) -> dict:
    return {
        "imported": report.imported,
        "dry_run": report.dry_run,
        "refused": len(report.refusals),
        "files": [{
            "kind": file.kind.value, "name": file.name, "encoding": file.encoding, "lines": file.lines,
            "created": file.created, "unchanged": file.unchanged,
            "refusals": [{"line": r.line, "column": r.column, "reason": r.reason} for r in file.refusals],
        } for file in report.files],
    }


def _file_line(file: FileReport, imported: bool) -> str:
    read_as = " lu en Windows-1252 (Latin-1) : vérifiez les accents ;" if file.encoding != "utf-8" else ""
    return (f"{file.name or file.kind.label_fr} ({file.kind.label_fr}) :{read_as} {file.lines} ligne(s) lue(s), "
            f"{file.created} {'ajouté(s)' if imported else 'à ajouter'}, {file.unchanged} déjà présent(s).")


def report_lines(report: ImportReport) -> list[str]:
    lines = [_file_line(file, report.imported) for file in report.files]
    refusals = report.refusals
    if refusals:
        lines.append(f"Refusé : {len(refusals)} ligne(s) en erreur — rien n'a été importé. Corrigez-les, puis "
                     "relancez l'import (les fichiers entiers).")
        for file, refusal in refusals[:MOST_SHOWN]:
            lines.append(f"  {file.name or file.kind.label_fr}, {refusal.said()}")
        if len(refusals) > MOST_SHOWN:
            lines.append(f"  … et {len(refusals) - MOST_SHOWN} autre(s) (--json les donne toutes).")
    elif report.dry_run:
        lines.append("Vérification seule (--dry-run) : tout est importable ; rien n'a été écrit.")
    elif not any(file.created for file in report.files):
        lines.append("Rien de nouveau : tout était déjà dans ogust ; rien n'a changé.")
    else:
        lines.append("Importé : tout, en une seule transaction.")
    return lines
