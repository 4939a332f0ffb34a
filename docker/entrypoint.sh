#!/bin/sh
# Storyline container entrypoint: the first argument picks the role.
#   web    - apply migrations, then serve with gunicorn on :8000
#   worker - Celery worker (CELERY_CONCURRENCY processes, default 2)
#   beat   - Celery beat scheduler: run exactly ONE, whatever the web/worker scale
#   other  - run the given command as is (e.g. python manage.py createsuperuser)
set -e

case "$1" in
  web)
    # Several web replicas starting at once would race here; with more than
    # one, run `python manage.py migrate` as a one-off step before rolling out
    # and start the replicas with RUN_MIGRATIONS=0.
    if [ "${RUN_MIGRATIONS:-1}" != "0" ]; then
      python manage.py migrate --noinput
    fi
    # The access log records the path without the query string (%(U)s), so
    # tokens passed in URLs never reach the logs; the logger class redacts the
    # secrets that are part of a path (review, answer, preference, unsubscribe,
    # share and password-reset links: core/redaction.py).
    # --preload: the app is imported once, before the workers fork (they
    # share its memory and start at once); no connection is opened at import.
    exec gunicorn config.wsgi:application \
      --preload \
      --logger-class core.redaction.GunicornLogger \
      --bind "${GUNICORN_BIND:-0.0.0.0:8000}" \
      --workers "${GUNICORN_WORKERS:-3}" \
      --timeout 60 \
      --access-logfile - \
      --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
    ;;
  worker)
    exec celery -A config.celery_app worker --loglevel=INFO \
      --concurrency="${CELERY_CONCURRENCY:-2}" \
      --hostname="${CELERY_HOSTNAME:-celery@%h}"
    ;;
  beat)
    # The schedule file is scratch state: /tmp is writable by the app user.
    exec celery -A config.celery_app beat --loglevel=INFO \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
    ;;
  *)
    exec "$@"
    ;;
esac
