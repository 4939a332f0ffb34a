"""Who may open a staff page: one guard per audience, the same headers on
every page they guard.

- :func:`program_manager_required`: program managers (and superusers) —
  staff views mounted under ``/admin/`` beside a ModelAdmin (the approval
  certificate and suggestions, the impact dashboard).
- :func:`sales_required`: the Sales team and program managers — the sales
  portal and its outreach pages under ``/sales/``.

Anonymous visitors go to the admin's login page (and come back); signed-in
people outside the group get 403. Every answer is ``Cache-Control: private,
no-store`` and ``X-Robots-Tag: noindex``: a staff page is never kept by a
shared cache nor listed by a search engine. Pages about one object of a
model are ModelAdmin views instead (``get_urls``), guarded by the admin's
permissions (see docs/architecture.md).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.cache import patch_cache_control

from core.roles import PROGRAM_MANAGERS, SALES, in_group


def staff_headers(response):
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _guard(*groups: str, refusal: str = ""):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_authenticated and request.user.is_staff):
                return staff_headers(
                    redirect_to_login(request.get_full_path(), reverse("admin:login"))
                )
            if not in_group(request.user, *groups):
                raise PermissionDenied(refusal)
            return staff_headers(view(request, *args, **kwargs))

        return wrapped

    return decorator


def program_manager_required(view):
    """Program managers (and superusers)."""
    return _guard(PROGRAM_MANAGERS)(view)


def sales_required(view):
    """The Sales team and program managers."""
    from django.utils.translation import gettext_lazy as _

    return _guard(SALES, PROGRAM_MANAGERS, refusal=_("The sales portal is for the Sales team."))(
        view
    )
