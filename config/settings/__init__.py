"""Settings package.

``base`` reads everything from the environment and is what production runs
(``DJANGO_SETTINGS_MODULE=config.settings.base``); ``local`` only changes the
*default* of ``DEBUG`` for ``manage.py`` on a developer's machine; ``test`` is
for pytest.
"""
