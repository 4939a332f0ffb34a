"""What an upload may be, in one place.

- No upload is ever markup a browser would run: SVG, HTML and XML are refused
  by their name and by their content (``refuse_markup``), for every kind of
  upload (interview files, logos, spreadsheet imports).
- Logos (a customer's, our branding's) are images of at most
  ``STORYLINE["LOGO_MAX_MB"]`` MB and ``STORYLINE["LOGO_MAX_PIXELS"]`` pixels,
  checked from the header before anything is decoded (a "decompression bomb"
  is refused, not expanded in memory), then stored downscaled to
  ``STORYLINE["LOGO_MAX_SIDE"]`` px with their metadata stripped and PNG
  transparency kept (``logo_downscale``; forms use ``LogoFormMixin``).
"""

import io
import re
import warnings
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

HEADER_BYTES = 8192
MARKUP_EXTENSIONS = frozenset(
    {"svg", "svgz", "htm", "html", "xhtml", "xht", "shtml", "xml", "xsl", "xslt", "mht", "mhtml"}
)
MARKUP_TYPES = frozenset(
    {"image/svg+xml", "text/html", "application/xhtml+xml", "text/xml", "application/xml"}
)
# What a browser's content sniffer takes for HTML at the start of a file
# (WHATWG MIME Sniffing, "identifying a resource with an unknown MIME type"),
# plus XML and SVG.
_LEADING_MARKUP = re.compile(
    rb"^\s*<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    rb"|!--|\?xml|svg)(?:[\s>/]|$)",
    re.IGNORECASE,
)
# Anywhere in the head of a file that is not a known binary format; in a
# binary one, only the active elements.
_EMBEDDED_MARKUP = re.compile(
    rb"<(?:svg|script|html|iframe|object|embed|!doctype\s+html|\?xml)[\s>/]", re.IGNORECASE
)
_EMBEDDED_ACTIVE = re.compile(rb"<(?:svg|script|html|iframe|object|embed)[\s>/]", re.IGNORECASE)
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}


def _limits() -> dict:
    storyline = settings.STORYLINE
    return {
        "mb": storyline.get("LOGO_MAX_MB", 2),
        "pixels": storyline.get("LOGO_MAX_PIXELS", 25_000_000),
        "side": storyline.get("LOGO_MAX_SIDE", 800),
    }


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEADER_BYTES)
    upload.seek(0)
    return head


def _as_text(head: bytes) -> bytes:
    """The head as a browser would read text: UTF-16 decoded, no BOM."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf")


def is_markup(name: str, head: bytes) -> bool:
    """Whether a file named ``name`` starting with ``head`` is SVG, HTML or XML."""
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    if extension in MARKUP_EXTENSIONS:
        return True
    text = _as_text(head)
    if _LEADING_MARKUP.match(text):
        return True
    kind = filetype.guess(head)
    if kind is not None:  # a binary format the content names (image, audio, zip...)
        # Markup hidden inside (a polyglot); not "<?xml", which metadata uses.
        return kind.mime in MARKUP_TYPES or bool(_EMBEDDED_ACTIVE.search(head))
    return bool(_EMBEDDED_MARKUP.search(text))


def refuse_markup(upload) -> None:
    """Raise ValidationError when the upload is SVG, HTML or XML."""
    if is_markup(getattr(upload, "name", ""), _head(upload)):
        raise ValidationError(
            _(
                "“%(name)s” is an SVG, HTML or XML file (checked by its name and its content). "
                "These are refused: a browser could run code in them. Upload a PDF, an image "
                "(PNG, JPEG, WebP) or a plain file instead."
            )
            % {"name": PurePath(getattr(upload, "name", "") or "").name},
            code="markup",
        )


def _is_new_upload(value) -> bool:
    """A file being uploaded now, not one already stored (a form re-saving
    an object validates its stored files too)."""
    if isinstance(value, UploadedFile):
        return True
    inner = getattr(value, "file", None) if not getattr(value, "_committed", True) else None
    return inner is not None


def validate_no_markup(value) -> None:
    """Model field validator: ``refuse_markup`` for new uploads."""
    if value and _is_new_upload(value):
        refuse_markup(value)


def logo_check(upload) -> None:
    """Size, type and pixel count of a logo, from its header only."""
    limits = _limits()
    if upload.size is not None and upload.size > limits["mb"] * 1024 * 1024:
        raise ValidationError(
            _("The logo is larger than %(limit)d MB. Upload a smaller image.")
            % {"limit": limits["mb"]},
            code="too_large",
        )
    refuse_markup(upload)
    not_an_image = ValidationError(
        _("The logo must be a PNG, JPEG, WebP or GIF image (checked by its content)."),
        code="not_an_image",
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:  # reads the header, decodes nothing
                width, height = image.size
                image_format = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width, height, image_format = 0, 0, "too-big"
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise not_an_image from exc
    finally:
        upload.seek(0)
    if image_format == "too-big" or width * height > limits["pixels"]:
        raise ValidationError(
            _(
                "The image has too many pixels (at most %(megapixels)d megapixels). "
                "Upload a smaller version of the logo."
            )
            % {"megapixels": limits["pixels"] // 1_000_000},
            code="too_many_pixels",
        )
    if image_format not in LOGO_FORMATS:
        raise not_an_image


def validate_logo(value) -> None:
    """Model field validator: ``logo_check`` for new uploads."""
    if value and _is_new_upload(value):
        logo_check(value)


def logo_downscale(upload) -> ContentFile:
    """The logo as stored: at most LOGO_MAX_SIDE px on its longest side,
    turned upright, without metadata (EXIF, ICC, text); PNG with its
    transparency when it has any (or was a PNG/GIF), else JPEG."""
    side = _limits()["side"]
    upload.seek(0)
    with Image.open(upload) as source:
        source_format = source.format
        image = ImageOps.exif_transpose(source)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    image.info = {}  # no EXIF, ICC profile, text chunks or comments
    as_png = has_alpha or source_format in ("PNG", "GIF")
    out = io.BytesIO()
    if as_png:
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=88, optimize=True)
    stem = slugify(PurePath(getattr(upload, "name", "") or "logo").stem)[:80] or "logo"
    return ContentFile(out.getvalue(), name=f"{stem}.{'png' if as_png else 'jpg'}")


class LogoField(forms.ImageField):
    """An image field that checks a logo's limits before Pillow reads it."""

    default_error_messages = {
        "invalid_image": gettext_lazy(
            "The logo must be a PNG, JPEG, WebP or GIF image (checked by its content)."
        ),
    }

    def to_python(self, data):
        if data not in self.empty_values and isinstance(data, UploadedFile):
            logo_check(data)
        return super().to_python(data)


class LogoFormMixin:
    """For model forms with a ``logo``: checked (size, type, pixels) and
    stored downscaled."""

    def __init__(self, *args, **kwargs):
        from django.contrib.admin.widgets import AdminFileWidget

        super().__init__(*args, **kwargs)
        field = self.fields.get("logo")
        if field is not None:
            limits = _limits()
            self.fields["logo"] = LogoField(
                label=field.label,
                required=field.required,
                widget=field.widget if isinstance(field.widget, AdminFileWidget) else None,
                help_text=field.help_text
                or _(
                    "PNG, JPEG, WebP or GIF, at most %(mb)d MB; stored at most %(side)d pixels "
                    "wide or high."
                )
                % {"mb": limits["mb"], "side": limits["side"]},
            )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and isinstance(logo, UploadedFile):
            return logo_downscale(logo)
        return logo
