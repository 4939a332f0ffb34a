"""Storyline settings, read from the environment (12-factor).

Every production behaviour is switched by a variable documented in the README;
nothing hides in a separate production module.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"  # noqa: S105

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", default="Storyline")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "core.admin_apps.StorylineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Staff accounts: login lockout, TOTP second factor and backup codes.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "anymail",
    "csp",
    "casestudies",
    "recruitment",
    "interviews",
    "approvals",
    "distribution",
    "analytics",
    # Webhooks and chat notifications (a later stage: nothing below imports it).
    "integrations",
    # The demo program (seed_demo, ensure_demo_user): imports every app.
    "demo",
    # Last: its post_migrate hook grants the permissions the apps above create.
    "core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A stored public page for an anonymous visitor, before sessions and locale.
    "core.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.LanguageSwitchMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks request.user verified by a second factor...
    "django_otp.middleware.OTPMiddleware",
    # ...which this reads (STAFF_REQUIRE_2FA sends program managers to set one up).
    "core.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# The admin home's content (core's admin site knows no stage app).
STORYLINE_ADMIN_INDEX = "casestudies.inbox.admin_index_context"
# Its sections, along the lifecycle (and the one-line description of each list).
STORYLINE_ADMIN_SECTIONS = "casestudies.admin_sections.sections"
STORYLINE_ADMIN_DESCRIPTIONS = "casestudies.admin_sections.description"
# Internal review: by default product, marketing and legal are three people
# (no user signs off, or is assigned, more than one area of a story); a small
# team may allow one person to wear several hats.
INTERNAL_REVIEW_ALLOW_SAME_PERSON = env.bool("INTERNAL_REVIEW_ALLOW_SAME_PERSON", default=False)
# Where the story checker traces figures besides metrics (casestudies knows no later stage).
STORYLINE_FIGURE_SOURCES = ["interviews.draft_sources.figure_sources"]
# Called with every audit entry, in its transaction (core/audit.py): the
# webhook events are written beside the change they report.
STORYLINE_AUDIT_HOOKS = ["integrations.events.from_audit"]
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "distribution.context_processors.branding",
            ],
        },
    },
]

# --- Database: SQLite for the quick start, PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer fails a request (and /healthz) fast.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DATABASE_CONNECT_TIMEOUT", default=3
    )
    # No JIT compilation: for the short queries of a web request it costs more
    # than it saves (300 ms compiling a 2 ms facet count; issue 16).
    if not env.bool("DATABASE_JIT", default=False):
        DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker when REDIS_URL is set; otherwise local
# memory and eager tasks (the quick start needs nothing running).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down = cache misses, never an error page (core/cache.py).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="storyline"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "storyline",
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Reliability: a task is acknowledged only once it has run, redelivered if the
# worker dies, and a worker holds one message at a time. Time limits stay well
# under the broker's visibility timeout so a long task is never delivered twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_TIME_LIMIT = 600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker, forever
# Publishing when the broker is down fails fast: the outbox row (or the sweep
# that owns the work) makes up for it; a request never hangs on Redis.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The worker logs through Django's LOGGING, whose handlers redact secrets.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # The outbox: every email a change promised whose after-commit delivery
    # was lost (broker down, worker killed) or that waits for a retry.
    "deliver-due-emails": {
        "task": "core.tasks.deliver_due_emails",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=15.0),
    },
    # Recruitment: follow up unanswered outreach (each follow-up sent once).
    "outreach-followups": {
        "task": "recruitment.tasks.send_due_followups",
        "schedule": 3600.0,
    },
    # Usage rights enforce themselves: expired stories are archived daily
    # (the public querysets already hide them from the day they expire).
    "expire-usage-rights": {
        "task": "distribution.tasks.expire_usage_rights",
        "schedule": crontab(hour=0, minute=5),
    },
    # PDFs, one-pagers and slides lost with a killed worker are rendered again.
    "requeue-stale-documents": {
        "task": "distribution.tasks.requeue_stale_documents",
        "schedule": env.float("RENDER_SWEEP_SECONDS", default=15.0),
    },
    "requeue-stale-packs": {
        "task": "distribution.tasks.requeue_stale_packs",
        "schedule": env.float("RENDER_SWEEP_SECONDS", default=15.0),
    },
    "prune-documents": {
        "task": "distribution.tasks.prune_documents",
        "schedule": crontab(hour=0, minute=35),
    },
    # Approval reminders and escalations (hourly; each goes out once), and the
    # program managers' daily digest of overdue approvals.
    "send-approval-reminders": {
        "task": "approvals.tasks.send_approval_reminders",
        "schedule": crontab(minute=15),
    },
    "send-approval-digests": {
        "task": "approvals.tasks.send_approval_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    # Campaign batches lost with a worker are queued again (claims keep it to one email each).
    "resume-campaigns": {
        "task": "distribution.outreach_tasks.resume_campaigns",
        "schedule": env.float("CAMPAIGN_RESUME_SECONDS", default=300.0),
    },
    # Webhooks whose after-commit hand-off was lost, or that wait for a retry.
    "deliver-due-webhooks": {
        "task": "integrations.tasks.deliver_due_webhooks",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=15.0),
    },
    # "Usage rights expiring" webhook events (once per story and end date).
    "announce-expiring-rights": {
        "task": "integrations.tasks.announce_expiring_rights",
        "schedule": crontab(hour=0, minute=20),
    },
    # "Approval step overdue" events (chat notifications; once per step and due date).
    "announce-overdue-steps": {
        "task": "integrations.tasks.announce_overdue_steps",
        "schedule": crontab(hour=6, minute=45),
    },
    # Uploaded spreadsheets never confirmed (or of lost jobs) are deleted after a day.
    "prune-import-files": {
        "task": "core.tasks.prune_import_files",
        "schedule": crontab(hour=1, minute=5),
    },
}

# --- Email: SMTP (or the console) from EMAIL_URL; an email service's API
# through django-anymail with EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
# and its settings as ANYMAIL_<SETTING> variables (README, "Email").
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A hung SMTP server must not hold a worker past the outbox lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="") or EMAIL_CONFIG["EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Storyline <storyline@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"] (only those set: an
# empty Mailgun signing key would be a key anyone can sign with).
# ANYMAIL_WEBHOOK_SECRET ("user:password") is the basic auth every tracking
# webhook requires; without it the webhooks refuse every post.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_") and value.strip()
}
ANYMAIL.setdefault("WEBHOOK_SECRET", "")

# --- Auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# django-axes first: it refuses a locked-out account or address before any
# password is checked (core/accounts, README "Staff accounts").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (OpenID Connect): inert unless OIDC_ISSUER is set.
    "core.accounts.backends.StaffOIDCBackend",
]
# Lockout: AXES_FAILURE_LIMIT failed logins for one account, or from one
# address, lock that account or address for AXES_COOLOFF_MINUTES (each failure
# during a lockout starts the wait again); a successful login clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "core.accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
# Never stored with an attempt: the second factor's code, the SSO callback's
# code and state (passwords never are).
AXES_SENSITIVE_PARAMETERS = ["otp_token", "csrfmiddlewaretoken", "code", "state"]
# Two-factor authentication (django-otp, TOTP): optional unless this is on;
# when on, program managers must set it up before any other staff page.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = SITE_NAME
# A password reset link works for 1 hour (Django's default is 3 days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)

# Single sign-on for staff (OpenID Connect, mozilla-django-oidc; core/accounts/sso.py,
# README "Single sign-on"). Off while OIDC_ISSUER is empty. The provider's endpoints
# come from {OIDC_ISSUER}/.well-known/openid-configuration (fetched once, then kept
# for OIDC_DISCOVERY_SECONDS) unless set here explicitly.
OIDC_ISSUER = env("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_JWKS_ENDPOINT", default="")
OIDC_OP_END_SESSION_ENDPOINT = env("OIDC_END_SESSION_ENDPOINT", default="")
OIDC_DISCOVERY_SECONDS = env.int("OIDC_DISCOVERY_SECONDS", default=3600)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
# The claim listing the person's groups at the provider, and which Storyline
# group each of them gives: "provider-group:Storyline group,..." (core/roles.py).
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GROUP_MAP = env("OIDC_GROUP_MAP", default="")
OIDC_DISABLE_PASSWORD_FOR_SSO_USERS = env.bool("OIDC_DISABLE_PASSWORD_FOR_SSO_USERS", default=True)
OIDC_USE_PKCE = True
# Kept in the session for the provider's logout (id_token_hint); never logged.
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "core.accounts.sso.provider_logout_url"
OIDC_CALLBACK_CLASS = "core.accounts.sso.CallbackView"
OIDC_AUTHENTICATE_CLASS = "core.accounts.sso.AuthenticateView"
LOGIN_REDIRECT_URL = "admin:index"

# --- Internationalisation: English and Bahasa Indonesia everywhere a person reads.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files. Media goes to local disk by default; set
# AWS_STORAGE_BUCKET_NAME (and friends) to share it between containers via any
# S3-compatible store (AWS S3, MinIO, Ceph, R2...).
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

# Private files (interview recordings, transcripts and supplementary files,
# proposal packs, rendered documents) are never under MEDIA_ROOT / MEDIA_URL:
# a separate directory (web and worker share it), or the bucket's "private/"
# prefix with signed addresses. Views check permissions, then serve them.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media"))
# Uploaded spreadsheets between an import's check and its confirmation (and
# while a large import runs): shared by every web host and worker, never under
# a public URL (core/import_files.py). On S3: the same bucket, "private/"
# prefix, signed URLs only. On disk: IMPORT_FILES_ROOT, beside MEDIA_ROOT (not
# in it); with several hosts it must be a shared volume, or use S3.
IMPORT_FILES_ROOT = env(
    "IMPORT_FILES_ROOT", default=str(Path(MEDIA_ROOT).resolve().parent / "private-imports")
)
if AWS_STORAGE_BUCKET_NAME:
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_default_storage["OPTIONS"],
            "location": "private",
            # A custom domain (CDN) would hand out unsigned addresses.
            "custom_domain": None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
    _imports_storage = _private_storage
else:
    _private_storage = {"BACKEND": "core.storage.PrivateFileSystemStorage"}
    _imports_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": IMPORT_FILES_ROOT},
    }

STORAGES = {
    "default": _default_storage,
    "private": _private_storage,
    "imports": _imports_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security. Production defaults whenever DEBUG is off; each can be relaxed
# by its own variable (for instance behind a proxy that terminates TLS).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The client's address (core/http.py): how many reverse proxies stand in front.
# 0 = the connection's address, X-Forwarded-For ignored; N = the Nth
# X-Forwarded-For entry from the right. The older CLIENT_IP_HEADER (any value)
# and ANALYTICS_TRUST_X_FORWARDED_FOR=true still work and mean one proxy.
_LEGACY_ONE_PROXY = bool(env("CLIENT_IP_HEADER", default="").strip()) or env.bool(
    "ANALYTICS_TRUST_X_FORWARDED_FOR", default=False
)
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=1 if _LEGACY_ONE_PROXY else 0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# --- Error reports: to Sentry or a self-hosted GlitchTip when SENTRY_DSN is
# set (config/sentry.py: no personal data, every tokenized address redacted);
# otherwise by email to ADMINS ("Ops <ops@example.com>,Jane <jane@example.com>"):
# 500s through the mail_admins handler below, failed Celery tasks through the
# task_failure handler in config/celery_app.py.
from config.sentry import init_sentry  # noqa: E402

SENTRY_ENABLED = init_sentry(env.ENVIRON)
ADMINS = [(name, address) for name, address in getaddresses([env("ADMINS", default="")]) if address]
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.error_reports.SafeReporterFilter"
# Content-Security-Policy on every page (django-csp 4). No inline script, no
# inline event handler, no inline style anywhere: every script and stylesheet
# is a static file (values reach scripts through data- attributes or
# json_script data blocks), so the policy needs neither 'unsafe-inline' nor
# per-request nonces, which cached public pages could not carry. JSON-LD is a
# data block, not script. CSP_REPORT_ONLY sends the same policy as
# Content-Security-Policy-Report-Only instead (to try a change without
# breaking anything); CSP_REPORT_URI collects violation reports.
# (Read into lower-case names: django-csp's check refuses its pre-4.0
# CSP_* settings.)
_csp_report_only = env.bool("CSP_REPORT_ONLY", default=False)
_csp_report_uri = env("CSP_REPORT_URI", default="")
# Media (logos) from S3-compatible storage: its custom domain, else its endpoint.
_csp_media = []
if AWS_STORAGE_BUCKET_NAME:
    _csp_media_domain = env("AWS_S3_CUSTOM_DOMAIN", default="")
    _csp_endpoint = env("AWS_S3_ENDPOINT_URL", default="")
    if _csp_media_domain:
        _csp_media = [f"https://{_csp_media_domain}"]
    elif _csp_endpoint:
        _csp_media = [_csp_endpoint.rstrip("/")]
    else:
        _csp_region = env("AWS_S3_REGION_NAME", default="")
        _csp_media = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if _csp_region:
            _csp_media.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_csp_region}.amazonaws.com")
_csp_directives = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *_csp_media],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if _csp_report_uri:
    _csp_directives["report-uri"] = [_csp_report_uri]
if _csp_report_only:
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secrets in addresses (review, answer, preference, unsubscribe, share and
    # password-reset links; signed download tokens) never reach a log line:
    # every handler redacts them (core/redaction.py).
    "filters": {
        "redact_secrets": {"()": "core.redaction.RedactSecrets"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "core.error_reports.RedactingAdminEmailHandler",
            "filters": ["require_debug_false", "redact_secrets"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's default handlers of "django" (its own unredacted
        # mail_admins among them): everything goes to root's console.
        "django": {"handlers": [], "level": "INFO"},
        # 500s: the console (through root) and, without Sentry, ADMINS.
        "django.request": {"handlers": [] if SENTRY_ENABLED else ["mail_admins"]},
        "django.server": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": env("CELERY_TRACE_LOG_LEVEL", default="WARNING")},
        # WeasyPrint logs every render step at INFO and fontTools every glyph.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Storyline domain settings (guide thresholds; see casestudies/metrics)
STORYLINE = {
    # "Hasil Kuat dan ROI": cost saving 30 %+, revenue 20 %+, efficiency 40 %+.
    "STRONG_RESULT_THRESHOLDS": {"cost_saving": 30, "revenue": 20, "efficiency": 40},
    # "The Standard Framework": summary 100-150 words, whole story 1000-1500.
    "SUMMARY_WORDS": (100, 150),
    "STORY_WORDS": (1000, 1500),
    # "Writing and Editing": product verifies technical accuracy, marketing the
    # messaging, legal the claims; each must approve the latest version before
    # the story leaves drafting.
    "INTERNAL_REVIEW_AREAS": ["product", "marketing", "legal"],
    "GALLERY_PAGE_SIZE": env.int("GALLERY_PAGE_SIZE", default=12),
    "DEMO_LOGIN": {"username": "demo", "password": "storyline-demo"},
    # Interview uploads (megabytes): recordings, transcripts, supplementary files.
    "INTERVIEW_RECORDING_MAX_MB": env.int("INTERVIEW_RECORDING_MAX_MB", default=500),
    "INTERVIEW_TRANSCRIPT_MAX_MB": env.int("INTERVIEW_TRANSCRIPT_MAX_MB", default=10),
    "INTERVIEW_FILE_MAX_MB": env.int("INTERVIEW_FILE_MAX_MB", default=20),
    # "Customer Review and Approval": allow 1-2 weeks; "others need three
    # reminder emails". Reminders on these days after a step was asked, then
    # escalation to the account owner and the program managers.
    "APPROVAL_REMINDER_DAYS": tuple(
        env.list("APPROVAL_REMINDER_DAYS", cast=int, default=[3, 7, 10])
    ),
    "APPROVAL_ESCALATION_DAY": env.int("APPROVAL_ESCALATION_DAY", default=12),
    # Outreach (issue 7 B). "Sales Enablement": reps need reference contacts,
    # but a customer asked too often stops helping ("Value harus flow both
    # directions"): calls per contact per quarter, the ledger's warning
    # threshold, how long a preference link works; "Email Campaigns": batches.
    "REFERENCE_CALLS_PER_QUARTER": env.int("REFERENCE_CALLS_PER_QUARTER", default=2),
    "ASK_FATIGUE_WINDOW_DAYS": 90,
    "ASK_FATIGUE_WARNING": 3,
    "PREFERENCE_LINK_DAYS": 90,
    "CAMPAIGN_BATCH_SIZE": env.int("CAMPAIGN_BATCH_SIZE", default=200),
    # Documents: a render silent (no heartbeat) this long was lost with its
    # worker and is claimed again; a queued one nobody picked up this long is
    # queued again.
    "RENDER_LEASE_SECONDS": env.int("RENDER_LEASE_SECONDS", default=45),
    "RENDER_QUEUE_STALE_SECONDS": env.int("RENDER_QUEUE_STALE_SECONDS", default=60),
    # A delivery claimed this long ago was in flight when its worker died: it
    # is sent again. Batches of a campaign still sending after this long are
    # queued again (a lost worker, a broker that was down).
    "CAMPAIGN_CLAIM_SECONDS": env.int("CAMPAIGN_CLAIM_SECONDS", default=120),
    "CAMPAIGN_RESUME_AFTER_SECONDS": env.int("CAMPAIGN_RESUME_AFTER_SECONDS", default=600),
    # "Customer Review and Approval": allow 1-2 weeks (legal/PR 2-4 weeks), so
    # review links live 30 days and can be extended; the mailbox code is
    # 6 digits, valid 15 minutes, 5 wrong tries an hour; 20 unknown links per address per
    # 10 minutes, then the neutral page answers 429.
    "REVIEW_LINK_DAYS": env.int("REVIEW_LINK_DAYS", default=30),
    "REVIEW_CODE_MINUTES": 15,
    "REVIEW_CODE_ATTEMPTS": 5,
    # After that many wrong codes (whatever new codes were asked for) the
    # check is locked this long: at most 5 guesses an hour per link.
    "REVIEW_CODE_LOCK_MINUTES": 60,
    "REVIEW_CODE_RESEND_SECONDS": 60,
    "REVIEW_BAD_TOKEN_LIMIT": env.int("REVIEW_BAD_TOKEN_LIMIT", default=20),
    "REVIEW_BAD_TOKEN_WINDOW_SECONDS": 600,
}
# Selection and recruitment (guide: "Seleksi Case Study Strategis", "Membangun
# Portfolio Beragam", "Target Buyer Appeal", "Proses Rekrutmen Pelanggan").
STORYLINE.update(
    {
        # Candidate score: the weight of each part (any positive numbers; the
        # total is normalised to 0-100).
        "SELECTION_WEIGHTS": {
            "results": 30,
            "arc": 20,
            "willingness": 20,
            "appeal": 15,
            "gap_fill": 15,
        },
        # Freshness: stories older than two years are listed for refresh.
        "FRESHNESS_MAX_AGE_DAYS": 730,
        # "Timing Request Matters": ask after a milestone, a positive business
        # review, a renewal, an enthusiastic message or an NPS of 9-10 (each
        # counts for this many days); wait during implementation or shortly
        # after a support issue.
        "READINESS": {
            "MILESTONE_DAYS": 90,
            "BUSINESS_REVIEW_DAYS": 60,
            "RENEWAL_DAYS": 90,
            "ENTHUSIASM_DAYS": 60,
            "NPS_DAYS": 180,
            "NPS_PROMOTER": 9,
            "SUPPORT_ISSUE_QUIET_DAYS": 30,
        },
        # Automatic follow-ups of an unanswered outreach.
        "OUTREACH_FOLLOWUP_AFTER_DAYS": env.int("OUTREACH_FOLLOWUP_AFTER_DAYS", default=5),
        "OUTREACH_FOLLOWUP_MAX": env.int("OUTREACH_FOLLOWUP_MAX", default=2),
        # After the last follow-up, an outreach with no reply becomes "no answer".
        "OUTREACH_NO_ANSWER_AFTER_DAYS": 7,
        # "Work Through the Approval Chain": days each customer reviewer is
        # expected to take; large companies need 4-6 weeks of approvals.
        "APPROVAL_REVIEW_DAYS": {
            "participant": 5,
            "department_leader": 5,
            "customer_legal": 10,
            "customer_pr": 7,
            "executive_sponsor": 5,
        },
        "ENTERPRISE_APPROVAL_DAYS": (28, 42),
        # Days before approvals: interview scheduled and held, draft written;
        # after approval: design and publication.
        "TIMELINE_DAYS": {"interview": 10, "drafting": 14, "publication": 5},
    }
)

# "Measuring Case Study Impact": first-party capture (views, time on page,
# bounce, downloads), lead generation from gated downloads, SEO (organic
# search visits), influenced revenue. See analytics/ and the README.
STORYLINE["ANALYTICS"] = {
    # Switch capture off entirely (the beacon script is then not even served).
    "CAPTURE": env.bool("ANALYTICS_CAPTURE", default=True),
    # A bounce: a single page view that reported under this many seconds of
    # visible time and did not continue to another page of the site.
    "BOUNCE_SECONDS": 10,
    # Beacons per address per minute; lead forms per address per hour (the
    # address: core.http, TRUSTED_PROXIES).
    "BEACON_RATE_PER_MINUTE": env.int("ANALYTICS_BEACON_RATE", default=120),
    "LEAD_RATE_PER_HOUR": env.int("ANALYTICS_LEAD_RATE", default=10),
    # Lead form spam trap: a human takes at least this long to fill it in.
    "LEAD_FORM_MIN_SECONDS": 3,
    # How long a download link stays valid after the form / in the email.
    "DOWNLOAD_TOKEN_SECONDS": 15 * 60,
    "DOWNLOAD_EMAIL_TOKEN_SECONDS": 7 * 24 * 3600,
    # Work email only: these free-mail domains are refused on the lead form.
    "FREE_MAIL_DOMAINS": [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.id",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "mail.com",
        "gmx.com",
        "gmx.net",
        "proton.me",
        "protonmail.com",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "qq.com",
        "163.com",
        "rocketmail.com",
        "mail.ru",
        "tutanota.com",
    ],
    # Referrer hosts counted as organic search (suffix match).
    "SEARCH_ENGINES": [
        "google.",
        "bing.com",
        "duckduckgo.com",
        "search.yahoo.com",
        "yandex.",
        "baidu.com",
        "ecosia.org",
        "search.brave.com",
        "startpage.com",
        "qwant.com",
    ],
    # "Underused": a published story that sales used at most this often in the
    # period (the guide: "if reps are not using them, something's wrong").
    "UNDERUSED_MAX_SALES_USES": 1,
}
CELERY_BEAT_SCHEDULE["analytics-monthly-report"] = {
    # The previous month's impact report to the program managers, once a month.
    "task": "analytics.tasks.send_monthly_report",
    "schedule": crontab(day_of_month=1, hour=6, minute=0),
}

# --- Sales portal and JSON API (issue 7; guide "Sales Enablement": "if reps
# can't find it in 30 seconds, they won't use it")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, scoped, expiring tokens (integrations/tokens.py), first.
        "integrations.tokens.IntegrationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Anonymous readers (website embeds) and token integrations (CRM).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="60/minute"),
        "user": env("API_USER_RATE", default="1000/minute"),
    },
    # Our throttles count core.http.client_ip; DRF's own get_ident agrees.
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Storyline API",
    "DESCRIPTION": "Published customer stories for CRM and website embedding (read only).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

# django-import-export: importing needs the "add" permission of the model
# (program managers), exporting the "view" one; without these, anyone who may
# view a model could import into it.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Its file between "check" and "confirm import" waits in the private shared
# import storage (STORAGES["imports"]), not in one host's /tmp.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "core.import_files.SharedImportTmpStorage"

# Spreadsheet imports (CRM customers and contacts, deals, backlinks,
# recipients): a file above IMPORT_MAX_ROWS rows is refused before anything is
# written; a confirmed import above IMPORT_SYNC_ROWS runs in Celery with a
# progress page (core/import_jobs.py), smaller ones inside the request.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10000)
IMPORT_SYNC_ROWS = env.int("IMPORT_SYNC_ROWS", default=500)

# --- Integrations (integrations/conf.py, README "Integrations").
STORYLINE["INTEGRATIONS"] = {
    # Outgoing webhooks reach public addresses only; name the internal
    # networks they may reach too (comma-separated CIDRs), e.g. "10.20.0.0/16".
    "WEBHOOK_ALLOWED_NETWORKS": env.list("WEBHOOK_ALLOWED_NETWORKS", default=[]),
    "WEBHOOK_ALLOW_HTTP": env.bool("WEBHOOK_ALLOW_HTTP", default=False),
    "WEBHOOK_TIMEOUT_SECONDS": env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0),
    "WEBHOOK_MAX_ATTEMPTS": env.int("WEBHOOK_MAX_ATTEMPTS", default=8),
    "WEBHOOK_RETRY_SECONDS": env.int("WEBHOOK_RETRY_SECONDS", default=30),
    "WEBHOOK_DISABLE_AFTER": env.int("WEBHOOK_DISABLE_AFTER", default=20),
    "WEBHOOK_ROTATION_OVERLAP_HOURS": env.float("WEBHOOK_ROTATION_OVERLAP_HOURS", default=24.0),
    "RIGHTS_EXPIRING_DAYS": env.int("RIGHTS_EXPIRING_DAYS", default=30),
    # How long browsers and CDNs may keep an embed's frame: a withdrawn story
    # leaves every embed within this time (README, "Embeddable stories").
    "EMBED_CACHE_SECONDS": env.int("EMBED_CACHE_SECONDS", default=300),
}
