"""A resident's photo, judged by its bytes and stored without its metadata.

A phone's photo carries where it was taken (GPS) and with what; a resident who files anonymously
must not be found through it. So a photo is decoded (JPEG or PNG by content, like attachments),
turned upright from its EXIF orientation, scaled down to ``max_side`` and encoded again from the
pixels alone: no EXIF, GPS, XMP, ICC comments or text chunks survive.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..disclosure.attachments import JPEG, PNG, detect_media_type
from ..errors import ValidationError
from ..tabular._text import format_size

MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int
    sha256: str


def _refuse(filename: str, message: str) -> ValidationError:
    return ValidationError({"photos": [_("Photo “%(file)s”: %(problem)s", file=filename or _("photo"), problem=message)]})


def clean_photo(data: bytes, filename: str, *, max_bytes: int, max_pixels: int = MAX_PIXELS,
                max_side: int = MAX_SIDE) -> CleanPhoto:
    if len(data) > max_bytes:
        raise _refuse(filename, _("the photo is larger than %(limit)s.", limit=format_size(max_bytes)))
    media_type = detect_media_type(data)
    if media_type not in (JPEG, PNG):
        raise _refuse(filename, _("this is not a JPEG or PNG photo (or the file is incomplete)."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > max_pixels:
                    raise _refuse(filename, _("the photo has too many pixels; send a smaller one."))
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, SyntaxError):
        raise _refuse(filename, _("the photo cannot be read; it may be damaged.")) from None
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if media_type == JPEG:
        pixels = upright.convert("RGB")
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        extension = ".jpg"
    else:
        mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
        pixels = upright.convert(mode)
        pixels.save(out, format="PNG", optimize=True)
        extension = ".png"
    cleaned = out.getvalue()
    return CleanPhoto(data=cleaned, media_type=media_type, extension=extension, width=pixels.width,
                      height=pixels.height, sha256=hashlib.sha256(cleaned).hexdigest())
