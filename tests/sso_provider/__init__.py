"""A real OpenID provider for the SSO tests (tests/core/test_sso.py): a
second Django process running django-oauth-toolkit's OIDC provider.

``bootstrap`` makes its SQLite database, people and the Storyline client from
environment variables; the test then serves it with ``runserver --noreload``.
"""
