"""Real little files for the attachment tests: a PDF from reportlab, PNG and JPEG from Pillow,
and things that only look like them (an executable, a truncated PDF)."""
from __future__ import annotations

import hashlib
import io

from PIL import Image
from reportlab.pdfgen import canvas
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def pdf_bytes(text: str = "EIA conclusion No. 12/2024") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def image_bytes(kind: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format=kind)
    return buffer.getvalue()


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return image_bytes("PNG", colour)


def jpeg_bytes(colour: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    return image_bytes("JPEG", colour)


#: a Linux executable and a Windows one: what a renamed program starts with
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temporary_attachments_dir(app, tmp_path):
    """Send the attachment files of this test to a temporary folder (never into the instance folder)."""
    folder = tmp_path / "attachments"
    app.config["ESG_ATTACHMENTS_DIR"] = str(folder)
    return folder


def stored_files(folder) -> list:
    """Every file under the attachments folder (temporary upload names included)."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def multipart(fields: dict) -> dict:
    """Keyword arguments of a test-client request sending ``fields`` (files as (stream, name)) as
    multipart/form-data (encoded in memory: the test client's own encoder leaves a temporary file open for large bodies)."""
    values = {name: FileStorage(stream=value[0], filename=value[1]) if isinstance(value, tuple) else value
              for name, value in fields.items()}
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
