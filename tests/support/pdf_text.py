"""Reading back what a PDF shows (pypdf) and what Factur-X XML it carries."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

from facturx import get_xml_from_pdf
from lxml import etree
from pypdf import PdfReader

from ogust.domain.money import Money

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def text_of(pdf: bytes) -> str:
    """Every page's text, spaces normalised (narrow and no-break spaces become plain ones)."""
    reader = PdfReader(io.BytesIO(pdf))
    raw = "\n".join(page.extract_text() or "" for page in reader.pages)
    raw = raw.replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", raw)


def flat(text: str) -> str:
    """The text on one line (table cells and wrapped paragraphs joined)."""
    return re.sub(r"\s+", " ", text)


def euros(money: Money) -> str:
    """As the PDF prints it, with plain spaces: '1 234,56 €'."""
    return money.format_fr().replace("\u202f", " ").replace("\u00a0", " ")


def facturx_xml(pdf: bytes) -> tuple[str, bytes]:
    name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    return name, xml


def xml_amount(xml: bytes, tag: str) -> Money:
    [node] = etree.fromstring(xml).iter(f"{{{RAM}}}{tag}")
    return Money(int(Decimal(node.text) * 100))


def xml_texts(xml: bytes, tag: str) -> list[str]:
    return [node.text for node in etree.fromstring(xml).iter(f"{{{RAM}}}{tag}")]


def first_page_png(pdf: bytes, folder: Path, name: str) -> Path | None:
    """The first page as a PNG with poppler's pdftoppm, or None when it is not installed."""
    if shutil.which("pdftoppm") is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(folder / name)], check=True, timeout=60)
    return folder / f"{name}.png"
