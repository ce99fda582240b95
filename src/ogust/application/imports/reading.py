"""Reading a CSV file as French software exports it: « ; » between columns, UTF-8 with or without
its mark (BOM) — or, when the bytes are not UTF-8, Windows-1252 (Latin-1 and the French « œ », « € »,
the encoding of Excel's « CSV (séparateur : point-virgule) »), said in the report. The header names
the columns, in any order, case and accents aside (« Code postal » is ``code_postal``)."""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ogust.application.imports.report import FileReport

MAX_LINES = 100_000  # a year of a large company's invoice lines; a bigger file is split
MAX_CELL = 2_000  # characters in one cell


@dataclass(frozen=True)
class Column:
    """A column of an import file, as the README documents it."""

    name: str
    required: bool
    format: str  # in French, for the README and the refusals
    example: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    line: int  # where the line starts in the file (the header is line 1)
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")


def header_name(text: str) -> str:
    """« Prénom » → prenom, « Code postal » → code_postal, « Date d'intervention » → date_d_intervention."""
    plain = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in. ValueError (in French) when it is no text file."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValueError("fichier en UTF-16 (« texte Unicode ») : enregistrez-le en « CSV UTF-8 (délimité par des "
                         "points-virgules) ».")
    if b"\x00" in content:
        raise ValueError("ce n'est pas un fichier texte (octet nul) : un fichier CSV est attendu.")
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8"
        except UnicodeDecodeError as error:
            raise ValueError(f"marqué UTF-8 mais illisible en UTF-8 (octet {error.start + 3}).") from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as error:
        raise ValueError(f"encodage inconnu (octet {error.start}, ni UTF-8 ni Windows-1252/Latin-1) : "
                         "enregistrez le fichier en « CSV UTF-8 ».") from None


def read(content: bytes, columns: Sequence[Column], report: FileReport) -> list[Row]:
    """The file's data lines, each with its line number; the file's own faults (encoding, header,
    quoting, size) go to ``report`` — then no line is returned."""
    try:
        text, report.encoding = decode(content)
    except ValueError as error:
        report.refuse(1, None, str(error))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    rows: list[Row] = []
    header: list[str] | None = None
    try:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _header(cells, columns, report)
                if header is None:
                    return []
                continue
            if len(rows) >= MAX_LINES:
                report.refuse(start, None, f"plus de {MAX_LINES} lignes : découpez le fichier.")
                return []
            row = _row(start, header, cells, report)
            if row is not None:
                rows.append(row)
    except csv.Error as error:
        report.refuse(reader.line_num, None, f"ligne CSV mal formée ({_csv_error_fr(error)}).")
        return []
    if header is None:
        report.refuse(1, None, "fichier vide : la première ligne nomme les colonnes ("
                      + " ; ".join(c.name for c in columns) + ").")
    report.lines = len(rows)
    return rows


def _csv_error_fr(error: csv.Error) -> str:
    text = str(error)
    if "field larger" in text:
        return f"valeur trop longue, plus de {csv.field_size_limit()} caractères"
    if "EOF" in text or "new-line" in text:
        return "guillemet ouvert jamais refermé"
    if "expected" in text and "delimiter" in text:
        return "un guillemet fermant doit être suivi de « ; »"
    return "guillemets"


def _header(cells: list[str], columns: Sequence[Column], report: FileReport) -> list[str] | None:
    known = {c.name: c.name for c in columns} | {alias: c.name for c in columns for alias in c.aliases}
    expected = " ; ".join(c.name for c in columns)
    if len(cells) == 1 and ("," in cells[0] or "\t" in cells[0]):
        report.refuse(1, None, f"colonnes séparées par « ; » attendues (ex. {expected}).")
        return None
    names: list[str] = []
    for cell in cells:
        raw = header_name(cell)
        name = known.get(raw)
        if name is None:
            if raw:
                report.refuse(1, cell.strip(), f"colonne inconnue (colonnes possibles : {expected}).")
            names.append("")
            continue
        if name in names:
            report.refuse(1, cell.strip(), "colonne en double.")
        names.append(name)
    for column in columns:
        if column.required and column.name not in names:
            report.refuse(1, column.name, "colonne obligatoire absente de l'en-tête.")
    return None if report.refusals else names


def _row(line: int, header: list[str], cells: list[str], report: FileReport) -> Row | None:
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
        report.refuse(line, None, f"{len(cells)} colonnes pour {len(header)} dans l'en-tête (un « ; » de trop ?).")
        return None
    values = {}
    for name, cell in zip(header, cells, strict=False):
        if not name:
            continue
        if len(cell) > MAX_CELL:
            report.refuse(line, name, f"valeur trop longue (plus de {MAX_CELL} caractères).")
            return None
        values[name] = cell.strip()
    return Row(line, values)
