"""Logos (a customer's in the admin, our branding's): at most 2 MB, never SVG,
stored downscaled to 800 px. Real images, through the admin's own forms."""

import io
import os
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.test import RequestFactory
from PIL import Image

from casestudies.models import Customer
from distribution.models import Branding
from tests import factories

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(size, mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def admin_form(model, user, instance, logo):
    """The model admin's own change form for ``instance`` with ``logo`` uploaded."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().post("/")
    request.user = user
    form_class = model_admin.get_form(request, instance, change=True)
    data = {
        key: (
            [v.pk if hasattr(v, "pk") else v for v in value] if isinstance(value, list) else value
        )
        for key, value in model_to_dict(instance).items()
        if value is not None and key != "logo"
    }
    return form_class(data=data, files={"logo": logo}, instance=instance)


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(name="Acme Analytics")


def test_a_big_customer_logo_is_stored_at_most_800_pixels(customer, alice, settings):
    form = admin_form(Customer, alice, customer, SimpleUploadedFile("acme.png", png((2400, 1600))))
    assert form.is_valid(), form.errors
    form.save()
    customer.refresh_from_db()
    assert customer.logo.name.startswith("logos/customers/acme")
    assert customer.logo.name.endswith(".png")
    assert (Path(settings.MEDIA_ROOT) / customer.logo.name).is_file()  # public, on purpose
    with Image.open(customer.logo.path) as stored:
        assert max(stored.size) <= 800
        assert stored.size == (800, 533)
        assert stored.mode == "RGBA"


def test_an_svg_customer_logo_is_refused(customer, alice):
    form = admin_form(Customer, alice, customer, SimpleUploadedFile("acme.svg", SVG))
    assert not form.is_valid()
    assert "is an SVG, HTML or XML file" in form.errors["logo"][0]
    customer.refresh_from_db()
    assert not customer.logo


def test_a_3_mb_customer_logo_is_refused(customer, alice):
    # A real 3 MB image: random noise does not compress.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1024, 1024), os.urandom(3 * 1024 * 1024)).save(buffer, format="PNG")
    assert buffer.tell() > 3_000_000
    form = admin_form(Customer, alice, customer, SimpleUploadedFile("acme.png", buffer.getvalue()))
    assert not form.is_valid()
    assert form.errors["logo"] == ["The logo is larger than 2 MB. Upload a smaller image."]


def test_a_logo_with_too_many_pixels_is_explained(customer, alice):
    huge = io.BytesIO()
    Image.new("1", (6000, 5000), 1).save(huge, format="PNG")
    form = admin_form(Customer, alice, customer, SimpleUploadedFile("acme.png", huge.getvalue()))
    assert not form.is_valid()
    assert "too many pixels (at most 25 megapixels)" in form.errors["logo"][0]


def test_the_branding_logo_is_checked_and_downscaled_too(alice, settings):
    branding = Branding.objects.create(company_name="Storyline")
    form = admin_form(Branding, alice, branding, SimpleUploadedFile("ours.png", png((1800, 300))))
    assert form.is_valid(), form.errors
    form.save()
    branding.refresh_from_db()
    with Image.open(branding.logo.path) as stored:
        assert stored.size == (800, 133)

    svg = admin_form(Branding, alice, branding, SimpleUploadedFile("ours.svg", SVG))
    assert not svg.is_valid()
    assert "is an SVG, HTML or XML file" in svg.errors["logo"][0]


def test_the_admin_change_page_accepts_a_logo(client, alice, customer):
    """End to end: the customer change form posts and stores the downscaled logo."""
    client.force_login(alice)
    url = f"/admin/casestudies/customer/{customer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "at most 2 MB" in page.content.decode()
