"""core.uploads: markup is refused by name and content; logos are checked
from their header and stored downscaled without metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.uploads import is_markup, logo_check, logo_downscale, refuse_markup
from tests.interviews.conftest import MP3_BYTES, PNG_BYTES

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image_bytes(size, *, mode="RGB", format="PNG", colour=(31, 78, 121), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=format, **save)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("logo.svg", SVG),
        ("drawing.bin", SVG),
        ("notes.txt", b'<svg onload="alert(1)"/>'),
        ("page.html", b"hello"),
        ("page.txt", b"\n\n  <!DOCTYPE html><html><body>hi</body></html>"),
        ("page.txt", b"\xef\xbb\xbf<html><script>x()</script></html>"),
        ("page.txt", "<html><body>hi</body></html>".encode("utf-16")),
        ("data.csv", b"<?xml version='1.0'?><rows/>"),
        ("data.csv", b"name,notes\nAcme,<script>alert(1)</script>\n"),
        ("feed.XML", b"anything"),
        ("image.png", b"\x89PNG not really" + SVG),
        ("screen.png", b"<p>hi</p>"),
    ],
)
def test_markup_is_recognised(name, head):
    assert is_markup(name, head)
    with pytest.raises(ValidationError, match="SVG, HTML or XML") as error:
        refuse_markup(SimpleUploadedFile(name, head))
    assert error.value.code == "markup"


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("screen.png", PNG_BYTES),
        ("call.mp3", MP3_BYTES),
        ("figures.pdf", b"%PDF-1.7\n1 0 obj"),
        ("call.txt", b"Sari: We close in <5 days> now.\nBudi: a < b and b > c\n"),
        ("call.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Sari>We close in five days.\n"),
        ("customers.csv", b"name,website\nAcme,https://acme.example\n"),
    ],
)
def test_other_files_pass(name, head):
    assert not is_markup(name, head)
    refuse_markup(SimpleUploadedFile(name, head))


def test_a_logo_over_the_size_limit_is_refused():
    big = SimpleUploadedFile("logo.png", image_bytes((10, 10)) + b"\0" * (3 * 1024 * 1024))
    with pytest.raises(ValidationError, match="larger than 2 MB"):
        logo_check(big)


def test_an_svg_logo_is_refused():
    with pytest.raises(ValidationError, match="SVG, HTML or XML"):
        logo_check(SimpleUploadedFile("logo.svg", SVG))
    with pytest.raises(ValidationError, match="PNG, JPEG, WebP or GIF"):
        logo_check(SimpleUploadedFile("logo.bmp", image_bytes((10, 10), format="BMP")))


def test_a_logo_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    # 6000 x 5000 = 30 megapixels in a few kilobytes (one colour, 1 bit).
    bomb = SimpleUploadedFile("logo.png", image_bytes((6000, 5000), mode="1", colour=1))
    assert bomb.size < 100_000

    def decode(self, *args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(Image.Image, "load", decode)
    with pytest.raises(ValidationError, match="too many pixels") as error:
        logo_check(bomb)
    assert error.value.code == "too_many_pixels"


def test_a_big_png_is_stored_downscaled_with_its_transparency():
    source = Image.new("RGBA", (3000, 1200), (31, 78, 121, 255))
    source.paste((0, 0, 0, 0), (0, 0, 300, 300))  # a transparent corner
    buffer = io.BytesIO()
    source.save(buffer, format="PNG")
    upload = SimpleUploadedFile("Acme Logo.PNG", buffer.getvalue())
    logo_check(upload)
    stored = logo_downscale(upload)
    assert stored.name == "acme-logo.png"
    with Image.open(io.BytesIO(stored.read())) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.size == (800, 320)
        assert image.getpixel((0, 0))[3] == 0
        assert image.getpixel((799, 319))[3] == 255


def test_a_photo_logo_loses_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Co"  # Make
    exif[0x0112] = 6  # Orientation: rotated, turned upright on the way in
    raw = image_bytes((1600, 900), format="JPEG", exif=exif.tobytes())
    stored = logo_downscale(SimpleUploadedFile("photo.jpg", raw))
    assert stored.name == "photo.jpg"
    data = stored.read()
    assert b"Secret Camera Co" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (450, 800)
        assert not image.getexif()
        assert "icc_profile" not in image.info


def test_a_small_logo_is_not_enlarged():
    stored = logo_downscale(SimpleUploadedFile("small.png", image_bytes((120, 40))))
    with Image.open(io.BytesIO(stored.read())) as image:
        assert image.size == (120, 40)
