"""The DejaVu Sans faces of the documents, read and parsed once per process.

Left to itself, fpdf2 pays twice per face and per document (three faces a document): ``add_font``
parses the TrueType file (character map, widths and glyph ids of its 6,253 glyphs: ~30 ms), and
``output`` cuts the embedded subset out of that parsed font *in place* (``fontTools.subset``),
decoding the whole ``glyf``, ``post``, ``cmap`` and ``hmtx`` tables on the way (~30 ms). Here:

* each face is parsed once per process (``Face.template``, an fpdf2 ``TTFFont`` that is never
  drawn with nor written), and each document borrows a copy of it (``lend``) that shares what
  fpdf2 only reads (character map, glyph ids, name, metrics) and has its own of what fpdf2 changes
  while drawing and writing: the map of used glyphs, the widths (a ``defaultdict``), the font
  descriptor, and a fresh fontTools object over the file's bytes, kept in memory;
* when the file is written (``SharedFacesOutput``), the subset is cut from the face's *common
  cut* — the same face cut down beforehand, with fpdf2's options, to Latin-1, Latin Extended-A,
  punctuation, currency and letterlike signs (570 glyphs) — when it holds every glyph the document
  uses, and from the whole face otherwise (a name in Greek, Cyrillic, Vietnamese…). Cutting in
  two steps with the same options gives the same bytes as cutting the whole face at once:
  tests/unit/documents/test_typefaces.py checks it, and that the PDFs are byte for byte those
  fpdf2 writes when each document parses its own fonts.

A document borrows a face when it first sets it (the renderer lends regular and bold up front,
italic on first use): fpdf2 embeds every face it was given, used or not, and cutting a subset of
an unused face cost ~10 ms and 3 KB a document.

Building a face takes ~80 ms, once per process, when a document first uses it.

Thread safety: each face is built once, under a lock; after that they are only read (bytes, the
template's dictionaries); everything a document changes belongs to that document.

Tied to fpdf2's ``TTFFont`` and ``OutputProducer._add_fonts`` (2.8.9): a test pins the font
attributes this module knows of, so that an fpdf2 upgrade that adds one fails there.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import TextEmphasis
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer

FONTS = Path(__file__).parent / "fonts"
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}

# What the common cut keeps (code point ranges, inclusive): Basic Latin, Latin-1 and Latin
# Extended-A (French, œ, and most European names), punctuation (narrow no-break space, dashes,
# quotes, ellipsis), currency and letterlike signs (€, №): 570 glyphs. Cutting a document's
# subset from it takes ~10 ms a face, from the whole face ~30 ms; a wider common cut (Latin
# Extended-B and Additional, arrows: 1,360 glyphs) costs ~4 ms more a face for every document.
COMMON_RANGES = ((0x0020, 0x007E), (0x00A0, 0x017F), (0x2000, 0x20CF), (0x2100, 0x214F))

# The tables fpdf2 2.8.9 drops when it subsets (fpdf/output.py, OutputProducer._add_fonts): the
# common cut is made with the same options, and keeps the glyph names fpdf2 looks glyphs up by.
FPDF_DROPPED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC", "EBDT",
                       "EBLC", "EBSC", "SVG ", "CPAL", "COLR")

# The TTFFont attributes this module knows what to do with (fpdf2 2.8.9). ``color_font`` is None
# for DejaVu (no colour glyph tables), ``Face.load`` makes sure of it.
SHARED = frozenset({"type", "name", "glyph_ids", "sp", "ss", "up", "ut", "ttffile", "fontkey", "emphasis", "scale",
                    "cmap", "unicode_range", "palette_index", "is_compressed", "is_cff", "is_cid_keyed", "is_symbol",
                    "cff_ros", "collection_font_number", "color_font"})
OWN = frozenset({"i", "desc", "cw", "subset", "ttfont", "missing_glyphs", "biggest_size_pt", "_hbfont"})


def _open(data: bytes, recalc_bboxes: bool = True) -> ttLib.TTFont:
    """A fontTools font over bytes in memory, opened as fpdf2 opens its files."""
    return ttLib.TTFont(BytesIO(data), recalcTimestamp=False, recalcBBoxes=recalc_bboxes, lazy=True)


def _common_cut(template: TTFFont) -> tuple[bytes, frozenset[str]]:
    """The face cut down to the glyphs of ``COMMON_RANGES``, and the glyphs it can stand in for
    the whole face for: those asked for by name (``fontTools.subset`` keeps the character map's
    entries of the glyphs asked for, not those of the glyphs it adds as parts of composite
    glyphs). Cut from the template's own fontTools object, already parsed by ``add_font`` and not
    needed any more; the bounding boxes are left as they are (recomputed when a document's subset
    is cut, and 4× faster)."""
    names = {template.cmap[code] for low, high in COMMON_RANGES for code in range(low, high + 1)
             if code in template.cmap}
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True)
    options.drop_tables += list(FPDF_DROPPED_TABLES)
    font = template.ttfont
    font.recalcBBoxes = False
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(names))
    subsetter.subset(font)
    out = BytesIO()
    font.save(out)
    template.close()
    return out.getvalue(), frozenset(names | {".notdef"})


@dataclass(frozen=True)
class Face:
    style: str
    data: bytes
    template: TTFFont
    common: bytes
    common_glyphs: frozenset[str]

    @classmethod
    def load(cls, family: str, style: str, path: Path) -> Face:
        scratch = FPDF()
        scratch.add_font(family, style, str(path))
        template = scratch.fonts[f"{family.lower()}{style}"]
        if template.color_font is not None:
            raise ValueError(f"{path.name}: colour fonts are not shared between documents")
        data = path.read_bytes()
        common, glyphs = _common_cut(template)  # and closes the template's file
        return cls(style, data, template, common, glyphs)

    def lend(self, index: int) -> TTFFont:
        """A copy of the template for one document, where it is font number ``index``."""
        font = TTFFont.__new__(TTFFont)
        for name in SHARED:
            if hasattr(self.template, name):
                setattr(font, name, getattr(self.template, name))
        font.i = index
        font.desc = copy.copy(self.template.desc)  # output() names it and numbers it
        font.cw = self.template.cw.copy()  # a defaultdict: looking up a missing character adds it
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.ttfont = _open(self.data)
        font.subset = SubsetMap(font)
        return font

    def for_subsetting(self, glyph_names: Iterable[str]) -> ttLib.TTFont:
        """The fontTools font fpdf2 will cut the document's subset from (and modify)."""
        return _open(self.common if self.common_glyphs.issuperset(glyph_names) else self.data)


_faces: dict[tuple[str, str], Face] = {}
_lock = threading.Lock()


def face(family: str, style: str) -> Face:
    """The face of ``family`` in ``style`` ("", "B" or "I"), built on first use."""
    found = _faces.get((family, style))
    if found is None:
        with _lock:
            found = _faces.get((family, style))
            if found is None:
                found = Face.load(family, style, FONTS / FILES[style])
                _faces[family, style] = found
    return found


def lend(pdf: FPDF, family: str, styles: Iterable[str] = tuple(FILES)) -> None:
    """Give ``pdf`` the faces of ``family`` in ``styles`` it does not have yet, as ``pdf.add_font``
    would (same keys, numbered in the order they are given)."""
    for style in styles:
        key = f"{family.lower()}{style}"
        if key not in pdf.fonts:
            pdf.fonts[key] = face(family, style).lend(len(pdf.fonts) + 1)


def face_style(style: str | TextEmphasis) -> str:
    """The face ``FPDF.set_font`` picks for ``style`` ("", "B", "I" or "BI": underline and
    strike-through are drawn, not faces)."""
    letters = style.style if isinstance(style, TextEmphasis) else style
    return "".join(sorted(letters.upper().replace("U", "").replace("S", "")))


class SharedFacesOutput(OutputProducer):
    """fpdf2's output, cutting each borrowed face's subset from the smallest font that holds it."""

    def _add_fonts(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        for font in self.fpdf.fonts.values():
            lender = _lender(font)
            if lender is not None:
                font.ttfont.close()
                font.ttfont = lender.for_subsetting(font.subset.get_all_glyph_names())
        return super()._add_fonts(*args, **kwargs)


def _lender(font: object) -> Face | None:
    """The face ``font`` was lent by (it shares its template's character map), if any."""
    if isinstance(font, TTFFont):
        for lender in list(_faces.values()):
            if font.cmap is lender.template.cmap:
                return lender
    return None
