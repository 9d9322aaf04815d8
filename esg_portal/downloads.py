"""The one way the portal names a file it sends: the ``Content-Disposition`` header (RFC 6266).

The real name travels in ``filename*`` (RFC 8187: UTF-8, percent-encoded), which every current
browser reads. Old clients read only ``filename``: that ASCII fallback is built to be harmless
whatever the real name is — no path separators, no ``..``, no quotes, backslashes, control
characters or leading dots, never empty and never longer than ``MAX_FALLBACK`` — so that
neither the header nor a client that saves under that name can be steered anywhere.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: the longest ASCII fallback name (the extension is kept when the stem is cut)
MAX_FALLBACK = 120
#: used when nothing of the name survives in ASCII ("Корутунду.pdf" → "download.pdf")
DEFAULT_STEM = "download"
# what may stay in the fallback: letters, digits and a few marks that mean nothing to a shell,
# a file system or the header syntax
_UNSAFE = re.compile(r"[^A-Za-z0-9._()+-]+")
# RFC 8187 attr-char: everything else is percent-encoded in filename*
_ATTR_CHARS = "!#$&+-.^_`|~"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text)  # no ".." anywhere
    return re.sub(r"_{2,}", "_", text).strip("._- ")


def ascii_fallback(name: str) -> str:
    """A plain ASCII file name for ``filename=``: the letters of ``name`` that have an ASCII form, the rest "_"."""
    base = re.split(r"[/\\]", name or "")[-1]  # never a folder, whatever the caller passes
    stem, dot, extension = base.rpartition(".")
    if not (dot and stem.strip(".")):
        stem, extension = base, ""  # no extension, or a name such as ".hidden"
    extension = re.sub(r"[^A-Za-z0-9]", "", _ascii(extension))[:16]
    room = MAX_FALLBACK - (len(extension) + 1 if extension else 0)
    stem = _ascii(stem)[:room].rstrip("._- ") or DEFAULT_STEM
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with the safe ASCII ``filename`` and, when it differs, the real
    name as ``filename*``."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_fallback(name)
    value = f'{kind}; filename="{fallback}"'
    if name and fallback != name:
        value += f"; filename*=UTF-8''{quote(name or '', safe=_ATTR_CHARS)}"
    return value
