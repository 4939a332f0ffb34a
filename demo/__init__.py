"""The demo program ``make run`` shows: content, seeding and the demo login.

It imports every app and no app imports it (an import-linter contract):
``python manage.py seed_demo`` (``--case-studies N`` for scale tests) and
``python manage.py ensure_demo_user``."""
