"""Settings package.

``base`` reads everything from the environment and is what production runs
(``DJANGO_SETTINGS_MODULE=config.settings.base``); ``local`` only changes the
*default* of ``DEBUG`` for ``manage.py`` on a developer's machine; ``test`` is
for pytest.
"""


def extend(namespace: dict, module_name: str = "config.settings.base") -> None:
    """Copy every setting (the UPPERCASE names) of ``module_name`` into
    ``namespace`` (a settings module's ``globals()``), which then overrides
    what it changes: Django's settings layering, without a star import."""
    import importlib

    module = importlib.import_module(module_name)
    namespace.update({name: getattr(module, name) for name in dir(module) if name.isupper()})
