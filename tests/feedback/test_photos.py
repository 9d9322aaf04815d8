"""A resident's photo: judged by content, stored and served without EXIF or GPS."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from esg_portal.errors import ValidationError
from esg_portal.feedback.photos import clean_photo

GPS_IFD, GPS_LATITUDE_REF, GPS_LATITUDE = 0x8825, 1, 2
MB = 1024 * 1024


def jpeg_with_gps(size=(640, 480), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (90, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "MarkerCam Zq81"  # camera maker
    exif.get_ifd(GPS_IFD).update({GPS_LATITUDE_REF: "N", GPS_LATITUDE: (42.0, 50.0, 12.5)})
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_gps_and_camera_data_are_gone_from_the_stored_bytes(app_ctx) -> None:
    original = jpeg_with_gps()
    assert b"MarkerCam Zq81" in original and b"Exif" in original
    photo = clean_photo(original, "IMG_0001.jpg", max_bytes=8 * MB)
    assert photo.media_type == "image/jpeg" and (photo.width, photo.height) == (640, 480)
    assert b"MarkerCam" not in photo.data and b"Exif" not in photo.data
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert not stored.getexif() and not stored.getexif().get_ifd(GPS_IFD)


def test_a_sideways_phone_photo_is_stored_upright(app_ctx) -> None:
    photo = clean_photo(jpeg_with_gps((640, 480), orientation=6), "p.jpg", max_bytes=8 * MB)
    assert (photo.width, photo.height) == (480, 640)


def test_a_large_photo_is_scaled_down_and_png_text_is_dropped(app_ctx) -> None:
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Marker home address Zq81")
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), (1, 2, 3)).save(out, format="PNG", pnginfo=info)
    photo = clean_photo(out.getvalue(), "wide.png", max_bytes=8 * MB)
    assert photo.media_type == "image/png" and max(photo.width, photo.height) == 2560
    assert b"Zq81" not in photo.data


@pytest.mark.parametrize("data, filename, words", [
    (b"%PDF-1.4 not a photo %%EOF", "a.jpg", "not a JPEG or PNG"),
    (b"GIF89a" + b"\0" * 100, "a.gif", "not a JPEG or PNG"),
    (jpeg_with_gps()[:400], "cut.jpg", "not a JPEG or PNG"),
])
def test_what_is_not_a_photo_is_refused_by_name(app_ctx, data, filename, words) -> None:
    with pytest.raises(ValidationError) as refused:
        clean_photo(data, filename, max_bytes=8 * MB)
    message = refused.value.errors["photos"][0]
    assert filename in message and words in message


def test_size_and_pixel_limits(app_ctx) -> None:
    with pytest.raises(ValidationError) as too_big:
        clean_photo(jpeg_with_gps(), "big.jpg", max_bytes=1000)
    assert "larger than" in too_big.value.errors["photos"][0]
    with pytest.raises(ValidationError) as too_many:
        clean_photo(jpeg_with_gps((1000, 1000)), "many.jpg", max_bytes=8 * MB, max_pixels=500_000)
    assert "too many pixels" in too_many.value.errors["photos"][0]
