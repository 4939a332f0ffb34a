"""Developer machine: ``manage.py`` defaults here so DEBUG is on unless the
environment says otherwise (``DEBUG=0 ./manage.py check --deploy`` still sees
the production behaviour, since every setting is read from the environment)."""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import extend

extend(globals())
