# syntax=docker/dockerfile:1
#
# Storyline production image: one image for every role.
#   docker run IMAGE          -> web (migrate, then gunicorn on :8000)
#   docker run IMAGE worker   -> Celery worker
#   docker run IMAGE beat     -> Celery beat (run exactly one)
#   docker run IMAGE CMD...   -> any other command, e.g. `python manage.py createsuperuser`
# Configuration comes only from the environment (see config/settings/base.py
# and docker-compose.yml); nothing secret is baked into the image.

FROM python:3.11-slim-bookworm

# manage.py defaults to config.settings.local (DEBUG on): never in the image.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base

# Run-time system libraries: Pango/HarfBuzz and a font for WeasyPrint PDFs.
# (No libpq: psycopg[binary] ships its own. No gettext: .mo files are committed.)
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home is writable for caches (fontconfig), the code is not.
RUN groupadd --system storyline \
    && useradd --system --gid storyline --create-home --home-dir /home/storyline \
        --shell /usr/sbin/nologin storyline

WORKDIR /app

# Dependencies first so code changes do not reinstall them.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The project (see .dockerignore for what stays out), owned by root: read-only
# for the app user.
COPY . .

# Static files are served by WhiteNoise from the manifest built here. The
# SECRET_KEY is a throwaway that exists only for this RUN step.
# /app/media is the local media root, /app/private-media the private files'
# root and /app/private-imports the private import storage (IMPORT_FILES_ROOT;
# volumes in compose); they must be writable by the app user, and a new named
# volume inherits this ownership.
RUN SECRET_KEY=build-only DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/private-media /app/private-imports \
    && chown storyline:storyline /app/media /app/private-media /app/private-imports \
    && chmod 0755 docker/entrypoint.sh

USER storyline

EXPOSE 8000

# Readiness of the web role (database, cache and broker). ALLOWED_HOSTS must
# include "localhost". Worker/beat containers override or disable this check
# (see docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
