"""The fonts are parsed once per process and lent to each document (adapters/documents/typefaces.py):
the PDFs stay byte for byte those fpdf2 writes when each document parses its own fonts, in one
thread or several at once."""
from __future__ import annotations

import random
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf.fonts import TTFFont
from pypdf import PdfReader

from ogust.adapters.documents import typefaces
from ogust.adapters.documents.pdf_renderer import FAMILY, PdfDocumentRenderer
from ogust.domain.attestation import Attestation, AttestationLine
from tests.support.pdf_text import flat, text_of
from tests.unit.documents import samples

renderer = PdfDocumentRenderer()
NAMES = ["Élodie", "Łucja Żółć", "Œdipe Ÿves", "Ωμέγα Αλφα", "Дмитрий Ёжиков", "Nguyễn Thị Hằng", "王小明"]


def parse_per_document(pdf, family: str, styles=tuple(typefaces.FILES)) -> None:
    """fpdf2 left to itself: it parses each file for each document (``add_font``)."""
    for style in styles:
        if f"{family.lower()}{style}" not in pdf.fonts:
            pdf.add_font(family, style, str(typefaces.FONTS / typefaces.FILES[style]))


def draft_attestation(first_name: str) -> tuple:
    s = samples.build()
    s.client.first_name = first_name  # a draft shows the client record as it stands
    return Attestation(company_id=s.company.id, client_id=s.client.id, year=2026, amount_paid=s.attestation.amount_paid,
                       created_at=s.attestation.created_at, lines=list(s.attestation.lines)), s.company, s.client


def documents() -> list:
    """Documents without Factur-X (whose XMP carries the time of writing), in various scripts."""
    s = samples.build()
    draft = samples.build().invoice
    draft.number, draft.issued_on = None, None
    found = [lambda: renderer.devis(s.devis, s.company, s.client, s.devis_context()),
             lambda: renderer.attestation(s.attestation, s.company, s.client)]
    for name in NAMES:
        attestation, company, client = draft_attestation(name)
        found.append(lambda a=attestation, co=company, cl=client: renderer.attestation(a, co, cl))
    long, company, client = draft_attestation("Zoé")  # four pages: other PDF object numbers
    long.lines = [AttestationLine(f"M{n:03d}", f"Intervenant n° {n}", 1 + n % 12, 60 + n, 1) for n in range(120)]
    found.append(lambda: renderer.attestation(long, company, client))
    return found


def test_the_documents_are_those_fpdf2_writes_when_each_parses_its_fonts(monkeypatch):
    render = documents()
    shared = [make() for make in render]
    monkeypatch.setattr(typefaces, "lend", parse_per_document)
    assert [make() for make in render] == shared
    for pdf, name in zip(shared[2:2 + len(NAMES)], NAMES, strict=True):  # the drafts named after NAMES
        assert name in flat(text_of(pdf)) or name == "王小明"  # DejaVu has no CJK glyphs: left out as before


def test_the_italic_face_is_embedded_only_by_the_documents_that_use_it(monkeypatch):
    s = samples.build()
    attestation = renderer.attestation(s.attestation, s.company, s.client)
    devis = renderer.devis(s.devis, s.company, s.client, s.devis_context())  # its notice is in italics
    assert b"DejaVuSansOblique" not in attestation and b"DejaVuSansOblique" in devis
    monkeypatch.setattr(typefaces, "lend", lambda pdf, family, styles=(): parse_per_document(pdf, family))
    with_three = renderer.attestation(s.attestation, s.company, s.client)
    assert b"DejaVuSansOblique" in with_three and len(with_three) > len(attestation) + 2000
    assert [page.get_contents().get_data() for page in PdfReader(BytesIO(with_three)).pages] == \
        [page.get_contents().get_data() for page in PdfReader(BytesIO(attestation)).pages]


def test_renders_in_several_threads_at_once_give_the_same_files_as_one_after_another():
    render = documents()
    expected = [make() for make in render]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads take turns every 10 µs instead of 5 ms: races show up
    try:
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(lambda make: make(), render * 2)) == expected * 2
    finally:
        sys.setswitchinterval(switching)


def test_a_face_is_built_once_even_when_asked_for_by_several_threads(monkeypatch):
    monkeypatch.setattr(typefaces, "_faces", {})
    start = threading.Barrier(4)

    def ask(_):
        start.wait()
        return typefaces.face(FAMILY, "B")

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(ask, range(4)))
    assert all(face is found[0] for face in found) and list(typefaces._faces) == [(FAMILY, "B")]


@pytest.mark.parametrize("style", ["", "B", "I"])
def test_cutting_from_the_common_cut_gives_the_bytes_of_cutting_from_the_whole_face(style):
    face = typefaces.face(FAMILY, style)
    assert 400 < len(face.common_glyphs) < 1000 and {"eacute", "Euro", "uni202F", "oe"} <= face.common_glyphs

    def cut(data: bytes, glyphs: list[str]) -> bytes:  # as fpdf2 2.8.9 does (fpdf/output.py)
        font = ttLib.TTFont(BytesIO(data), recalcTimestamp=False, lazy=True)
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
        options.drop_tables += list(typefaces.FPDF_DROPPED_TABLES)
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=glyphs)
        subsetter.subset(font)
        out = BytesIO()
        font.save(out)
        return out.getvalue()

    choices = sorted(face.common_glyphs)
    draw = random.Random(1931)
    for size in (1, 5, 40, 120, 300):
        glyphs = draw.sample(choices, size)
        assert cut(face.common, glyphs) == cut(face.data, glyphs)
    assert cut(face.common, choices) == cut(face.data, choices)


def test_a_glyph_outside_the_common_cut_is_cut_from_the_whole_face():
    face = typefaces.face(FAMILY, "")
    omega = face.template.cmap[ord("Ω")]
    assert omega not in face.common_glyphs
    assert len(face.for_subsetting(["A", omega]).getGlyphOrder()) == 6253
    assert len(face.for_subsetting(["A", "eacute"]).getGlyphOrder()) < 1000


def test_the_fpdf2_font_attributes_are_the_ones_typefaces_knows():
    # An fpdf2 upgrade that adds one: decide in typefaces.py whether documents share it or own it.
    assert set(TTFFont.__slots__) == typefaces.SHARED | typefaces.OWN
