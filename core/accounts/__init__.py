"""Staff accounts: how people on staff log in and keep their login safe.

- ``forms.StaffAuthenticationForm``: the admin's login form (also the sales
  portal's login) with the second factor's code; django-axes counts every
  failure, a wrong code included.
- ``two_factor``: TOTP devices and backup codes (django-otp), one function per
  change, audited.
- ``views``: the two-factor page, the password reset pages (Django's, with
  the token page's private headers) and the lockout page.
- ``middleware.RequireTwoFactorMiddleware``: ``STAFF_REQUIRE_2FA``.
- ``sso`` and ``backends.StaffOIDCBackend``: single sign-on (OpenID Connect,
  mozilla-django-oidc), off unless ``OIDC_ISSUER`` is set.

The client's address for the lockout comes from :mod:`core.http`.
"""
