"""Register the DejaVu TrueType fonts with reportlab once, so Kyrgyz and Russian text renders."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: Environment variable that overrides where the DejaVu .ttf files are looked up.
FONT_DIR_ENV = "ESG_FONT_DIR"
#: Where Debian's fonts-dejavu-core package puts the fonts.
DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"

SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
SANS_OBLIQUE = "DejaVuSans-Oblique"
SANS_BOLD_OBLIQUE = "DejaVuSans-BoldOblique"
MONO = "DejaVuSansMono"
MONO_BOLD = "DejaVuSansMono-Bold"
#: Built-in fallback for the monospaced face: only ever used for hex digests (ASCII).
FALLBACK_MONO = "Courier"

_REQUIRED = (SANS, SANS_BOLD)
_OPTIONAL = (SANS_OBLIQUE, SANS_BOLD_OBLIQUE, MONO, MONO_BOLD)

_lock = threading.Lock()
_registered: FontNames | None = None


class FontError(RuntimeError):
    """The DejaVu font files needed for PDF output are missing."""


@dataclass(frozen=True)
class FontNames:
    """The reportlab font names to use in styles: a sans family and a monospaced face."""

    regular: str = SANS
    bold: str = SANS_BOLD
    mono: str = MONO
    font_dir: str = DEFAULT_FONT_DIR


def font_dir() -> Path:
    """Return the directory holding the DejaVu fonts: ``$ESG_FONT_DIR`` or the Debian default."""
    return Path(os.environ.get(FONT_DIR_ENV) or DEFAULT_FONT_DIR)


def locate_fonts(directory: str | Path | None = None) -> dict[str, Path]:
    """Map font names to the .ttf files present in ``directory``; raise FontError if Sans or Sans-Bold is missing."""
    base = Path(directory) if directory is not None else font_dir()
    found = {name: base / f"{name}.ttf" for name in _REQUIRED + _OPTIONAL if (base / f"{name}.ttf").is_file()}
    missing = [f"{name}.ttf" for name in _REQUIRED if name not in found]
    if missing:
        raise FontError(
            f"PDF fonts not found: {', '.join(missing)} in {base}. "
            f"Install fonts-dejavu-core (apt-get install fonts-dejavu-core) "
            f"or point {FONT_DIR_ENV} at a directory containing the DejaVu .ttf files."
        )
    return found


class SubsetMemoTTFont(TTFont):
    """A TrueType font that remembers, per document, how each text splits into its font subsets.

    Once a character has its code in a document's subset it keeps it, so a text splits the same
    way every time; a 2,000-page reconciliation report draws the same names, codes and figures
    thousands of times, and reportlab's character-by-character split was most of its time.
    """

    def splitString(self, text, doc, encoding="utf-8"):
        if type(text) is not str:  # bytes and shaped text: as reportlab does it
            return super().splitString(text, doc, encoding)
        state = self.state.get(doc)
        memo = getattr(state, "esg_splits", None)
        if memo is not None and text in memo:
            return memo[text]
        result = super().splitString(text, doc, encoding)
        state = self.state[doc]
        if memo is None:
            memo = state.esg_splits = {}
        memo[text] = result
        return result


def register_fonts(directory: str | Path | None = None) -> FontNames:
    """Register the DejaVu fonts with reportlab on first call and return their names; later calls are no-ops."""
    global _registered
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is not None:
            return _registered
        files = locate_fonts(directory)
        for name, path in files.items():
            pdfmetrics.registerFont(SubsetMemoTTFont(name, str(path)))
        # <b> and <i> inside Paragraphs look up the family mapping; without an oblique
        # face, italics fall back to the upright one rather than failing.
        italic = SANS_OBLIQUE if SANS_OBLIQUE in files else SANS
        bold_italic = SANS_BOLD_OBLIQUE if SANS_BOLD_OBLIQUE in files else SANS_BOLD
        addMapping(SANS, 0, 0, SANS)
        addMapping(SANS, 1, 0, SANS_BOLD)
        addMapping(SANS, 0, 1, italic)
        addMapping(SANS, 1, 1, bold_italic)
        mono = MONO if MONO in files else FALLBACK_MONO
        if mono == MONO:
            mono_bold = MONO_BOLD if MONO_BOLD in files else MONO
            addMapping(MONO, 0, 0, MONO)
            addMapping(MONO, 1, 0, mono_bold)
            addMapping(MONO, 0, 1, MONO)
            addMapping(MONO, 1, 1, mono_bold)
        _registered = FontNames(mono=mono, font_dir=str(next(iter(files.values())).parent))
        return _registered
