"""Two-factor authentication for staff: one TOTP device (an authenticator app)
and a set of single-use backup codes per person (django-otp).

Setting it up is two steps, both POSTs: :func:`totp_setup_start` makes an
unconfirmed device (its secret shown as a QR code), :func:`totp_setup_confirm`
confirms it with a current code from the app and issues the backup codes.
Unconfirmed devices never count: django-otp ignores them at login.

Every change writes an audit entry (never a code or secret).
"""

from __future__ import annotations

import base64
import re
from xml.etree import ElementTree

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_log

TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
TOTP_CODE = re.compile(r"^\d{6}$")
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")
SOURCE = "two-factor page"


class TwoFactorError(Exception):
    """A change the current state does not allow (the message says why)."""


def normalise_code(code: str) -> str:
    """What people type: spaces and dashes dropped, letters lower case."""
    return re.sub(r"[\s-]", "", str(code or "")).lower()[:32]


def is_enabled(user) -> bool:
    """A confirmed device: the login asks for a code."""
    return bool(user and user.is_authenticated) and user_has_device(user, confirmed=True)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(user, code: str):
    """The confirmed device of ``user`` that accepts ``code`` (a 6-digit app
    code or a backup code, which is then used up), or None.

    Each kind of code is tried only against its own kind of device, so a
    backup code never counts as a failure of the app (django-otp throttles a
    device after failures: 1 s, 2 s, 4 s…), and a code is good once (an app
    code is not accepted again in its time step)."""
    code = normalise_code(code)
    if TOTP_CODE.match(code):
        model = TOTPDevice
    elif BACKUP_CODE.match(code):
        model = StaticDevice
    else:
        return None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None


def totp_setup_start(*, user) -> TOTPDevice:
    """A new unconfirmed app device with a fresh secret (replacing any
    earlier unconfirmed one). Refused while two-factor authentication is on:
    turn it off first (that needs a code)."""
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
            raise TwoFactorError("already-on")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_setup_confirm(*, user, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a current code from the app; issue new
    backup codes. Returns the device and the codes (shown once)."""
    code = normalise_code(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-pk")
            .first()
        )
        if device is None:
            raise TwoFactorError("no-pending-device")
        if not TOTP_CODE.match(code) or not device.verify_token(code):
            raise TwoFactorError("wrong-code")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _new_backup_codes(user)
        audit_log(
            action="core.two_factor.enabled",
            obj=user,
            actor=user,
            data={"backup_codes": len(codes)},
            source=SOURCE,
        )
    return device, codes


def backup_codes_regenerate(*, user) -> list[str]:
    """A new set of backup codes; the old ones stop working."""
    with transaction.atomic():
        if not TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).exists():
            raise TwoFactorError("not-on")
        codes = _new_backup_codes(user)
        audit_log(
            action="core.two_factor.backup_codes_renewed",
            obj=user,
            actor=user,
            data={"backup_codes": len(codes)},
            source=SOURCE,
        )
    return codes


def two_factor_disable(*, user, actor=None, source: str = SOURCE) -> int:
    """Remove every device of ``user`` (app and backup codes). Returns how
    many there were."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None, for_verify=True))
        for device in devices:
            device.delete()
        if devices:
            audit_log(
                action="core.two_factor.disabled",
                obj=user,
                actor=actor or user,
                data={"devices": len(devices)},
                source=source,
            )
    return len(devices)


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in codes)
    return codes


def secret_text(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32 in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(data: str, *, label: str) -> str:
    """``data`` as a QR code: an inline ``<svg>`` element (no script, no
    style attribute, no external resource), black on white, ``label`` read out
    by screen readers."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
    )
    ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
    # Our own markup, just made by qrcode (not outside input).
    root = ElementTree.fromstring(image.to_string(encoding="unicode"))  # noqa: S314
    root.set("width", "220")
    root.set("height", "220")
    root.set("role", "img")
    root.set("aria-label", str(label))
    root.set("class", "qr-code")
    return ElementTree.tostring(root, encoding="unicode")
