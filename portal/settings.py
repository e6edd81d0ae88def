"""Settings for Common Ground, read from the environment (see README "Configuration").

Development defaults need no service: SQLite in var/, Celery on kombu's filesystem transport,
mail to the console. Production (DEBUG off) refuses to start without SECRET_KEY.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
# A local .env (made by `make run`/`make test` for development, never committed) fills in
# whatever the real environment does not set.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

# --- The department: name, logo and colours are settings, not code ------------------------
DEPARTMENT_NAME = env.str("DEPARTMENT_NAME", default="Riverside Police Department")
DEPARTMENT_SHORT_NAME = env.str("DEPARTMENT_SHORT_NAME", default="Riverside PD")
DEPARTMENT_LOGO = env.str("DEPARTMENT_LOGO", default="img/logo.svg")  # a static path or URL
DEPARTMENT_PRIMARY_COLOR = env.str("DEPARTMENT_PRIMARY_COLOR", default="#1a4480")
DEPARTMENT_ACCENT_COLOR = env.str("DEPARTMENT_ACCENT_COLOR", default="#e5a000")
DEPARTMENT_PHONE = env.str("DEPARTMENT_PHONE", default="(555) 010-0100")
EMERGENCY_NUMBER = env.str("EMERGENCY_NUMBER", default="911")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_htmx",
    "portal",
    "events",
    "feedback",
    "complaints",
    "transparency",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.StaffSecurityMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write to one file at once: WAL and IMMEDIATE avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured, else the database (shared by every process) -------------
REDIS_URL = env.str("REDIS_URL", default="")


def redis_cache(location: str) -> dict:
    """The Redis cache (a function so tests can point the same configuration at a dead port)."""
    return {
        # django-redis, with a failed add() counted as a miss too (see portal/cache_backends.py).
        "BACKEND": "portal.cache_backends.FailOpenRedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            # A Redis outage must never become a 500: errors count as cache misses.
            "IGNORE_EXCEPTIONS": True,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    # Decision: while Redis is down, allauth's rate limits FAIL OPEN. A miss reads as "no attempts
    # yet" (and a failed lock add() as "taken"), so sign-in and sign-up keep working, unlimited,
    # and every ignored error is logged ("django_redis.cache ... Exception ignored", level ERROR)
    # while /healthz reports the broker down. The stock backend would fail CLOSED instead: allauth
    # answers 429 to everyone when its lock cannot be taken. A fallback to the database cache was
    # not chosen: counters split between two stores are no limit either, and the database is
    # what must keep working during the outage.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

# --- Sessions and authentication ---------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=30)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:account"

ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # the outbox prefixes the department's name
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
    "reauthenticate": "10/m/user",
    # Events: the RSVP-without-an-account form (per IP; per address = links mailed to one inbox).
    "feedback_submit": "10/10m/ip,30/d/user",
    "events_guest_rsvp": "10/10m/ip,3/h/key",
    # Complaints: filing (per IP and account), the tracking form (per IP; per reference = "key").
    "complaints_submit": "10/h/ip,20/d/user",
    "complaints_track": "20/10m/ip,10/10m/key",
    "complaints_message": "30/h/ip",
    "complaints_evidence": "30/h/ip",
    # Transparency: subscribing (per IP; per address = confirmation mails to one inbox).
    "transparency_subscribe": "10/10m/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = DEPARTMENT_NAME

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static files: USWDS from npm, served by whitenoise, never a CDN ----------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("uswds", BASE_DIR / "node_modules" / "@uswds" / "uswds" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Complaint evidence: never under MEDIA_ROOT, never served but through a permission-checked
    # view. A deployment can point this at S3 (django-storages) with COMPLAINT_EVIDENCE_STORAGE_*.
    "complaint_evidence": {
        "BACKEND": env.str("COMPLAINT_EVIDENCE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": env.str("COMPLAINT_EVIDENCE_ROOT", default=str(VAR_DIR / "private" / "evidence"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# USWDS's CSS names a few files its npm build leaves out (source maps); don't fail on them.
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# --- Mail: every message goes through the outbox (portal.outbox) ------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before a silent mail server counts as down, so a send task never hangs a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{DEPARTMENT_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=500)
# A message claimed by a worker that died is offered again after this many seconds.
OUTBOX_CLAIM_TIMEOUT_SECONDS = env.int("OUTBOX_CLAIM_TIMEOUT_SECONDS", default=300)
# How long the sweep leaves a message to the send task already enqueued for it before offering
# it again (a broker that refused the task, a worker that never ran it).
OUTBOX_TASK_GRACE_SECONDS = env.int("OUTBOX_TASK_GRACE_SECONDS", default=60)
# Beat runs the sweep this often; each sweep offers at most this many batches.
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=60.0)
OUTBOX_SWEEP_MAX_BATCHES = env.int("OUTBOX_SWEEP_MAX_BATCHES", default=20)

# --- Events --------------------------------------------------------------------------------------
EVENTS_MAX_PARTY_SIZE = env.int("EVENTS_MAX_PARTY_SIZE", default=6)
# Reminders go out this many hours before an event starts, each at most once per RSVP.
EVENTS_REMINDER_HOURS = env.list("EVENTS_REMINDER_HOURS", cast=int, default=[24, 2])
EVENTS_REMINDER_SCAN_SECONDS = env.float("EVENTS_REMINDER_SCAN_SECONDS", default=300.0)
# Hosts are emailed when seats taken reach these shares of capacity.
EVENTS_CAPACITY_ALERT_PERCENTS = env.list("EVENTS_CAPACITY_ALERT_PERCENTS", cast=int, default=[80, 100])
EVENTS_PER_PAGE = env.int("EVENTS_PER_PAGE", default=20)

# --- Feedback ------------------------------------------------------------------------------------
FEEDBACK_PER_PAGE = env.int("FEEDBACK_PER_PAGE", default=20)
# Survey invitations go out this many hours after an event ends; their links work for this long.
SURVEY_INVITE_AFTER_HOURS = env.int("SURVEY_INVITE_AFTER_HOURS", default=2)
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=30)
SURVEY_SCAN_SECONDS = env.float("SURVEY_SCAN_SECONDS", default=900.0)
# A trust index built from fewer responses than this is not shown, so no small group is exposed.
TRUST_INDEX_MIN_RESPONSES = env.int("TRUST_INDEX_MIN_RESPONSES", default=10)
# Figures on the public wall look back this many days.
FEEDBACK_FIGURES_DAYS = env.int("FEEDBACK_FIGURES_DAYS", default=90)

# --- Complaints ----------------------------------------------------------------------------------
COMPLAINTS_PER_PAGE = env.int("COMPLAINTS_PER_PAGE", default=25)
COMPLAINTS_EVIDENCE_MAX_BYTES = env.int("COMPLAINTS_EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
COMPLAINTS_EVIDENCE_MAX_FILES = env.int("COMPLAINTS_EVIDENCE_MAX_FILES", default=10)
# Deadlines, in calendar days from receipt; "due soon" is this many days before a deadline.
COMPLAINTS_ACKNOWLEDGE_DAYS = env.int("COMPLAINTS_ACKNOWLEDGE_DAYS", default=5)
COMPLAINTS_FINISH_DAYS = env.int("COMPLAINTS_FINISH_DAYS", default=90)
COMPLAINTS_DUE_SOON_DAYS = env.int("COMPLAINTS_DUE_SOON_DAYS", default=7)
# The complainant may ask for a review this many days after the findings are issued.
COMPLAINTS_REVIEW_DAYS = env.int("COMPLAINTS_REVIEW_DAYS", default=30)
# Complaints closed longer ago than this are de-identified by the monthly retention task.
COMPLAINTS_RETENTION_YEARS = env.int("COMPLAINTS_RETENTION_YEARS", default=5)
# Wrong access codes for one reference before it locks, and for how long.
COMPLAINTS_CODE_MAX_FAILURES = env.int("COMPLAINTS_CODE_MAX_FAILURES", default=5)
COMPLAINTS_CODE_LOCKOUT_MINUTES = env.int("COMPLAINTS_CODE_LOCKOUT_MINUTES", default=60)
# An unfinished complaint form is kept this long for its browser to resume.
COMPLAINTS_DRAFT_DAYS = env.int("COMPLAINTS_DRAFT_DAYS", default=30)
COMPLAINTS_DIGEST_HOUR = env.int("COMPLAINTS_DIGEST_HOUR", default=7)
# Public statistics: a cell with fewer than this many complaints is shown as "fewer than N".
STATISTICS_MIN_CELL = env.int("STATISTICS_MIN_CELL", default=5)

# --- Transparency -------------------------------------------------------------------------------
TRANSPARENCY_PER_PAGE = env.int("TRANSPARENCY_PER_PAGE", default=20)
TRANSPARENCY_ATTACHMENT_MAX_BYTES = env.int("TRANSPARENCY_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
TRANSPARENCY_CONFIRM_DAYS = env.int("TRANSPARENCY_CONFIRM_DAYS", default=7)
# Fan-out: messages per task (one SMTP connection each); the publishing scan's period.
TRANSPARENCY_FANOUT_BATCH_SIZE = env.int("TRANSPARENCY_FANOUT_BATCH_SIZE", default=500)
TRANSPARENCY_PUBLISH_SCAN_SECONDS = env.float("TRANSPARENCY_PUBLISH_SCAN_SECONDS", default=60.0)

# --- Open data API (Django REST framework, drf-spectacular) --------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],  # public, read-only, no sessions: no CSRF, nothing personal
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_THROTTLE_RATE", default="120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{DEPARTMENT_NAME} open data API",
    "DESCRIPTION": "Read-only public data: districts, officers, events, published feedback, updates and statistics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery: Redis when configured, else kombu's filesystem transport under var/ -------------
CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # A publish (from a web request) tries the broker once and gives up at once: without this,
        # kombu sleeps and retries for up to CELERY_BROKER_CONNECTION_TIMEOUT. The outbox sweep sends
        # later. The worker and beat reconnect on their own (broker_connection_max_retries).
        "max_retries": 0,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport, writing each message whole (see portal/celery.py).
    CELERY_BROKER_TRANSPORT = "portal.celery:EmbeddedBrokerTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "control_folder": str(CELERY_CONTROL_DIR),
        "store_processed": False,
        "polling_interval": 1,
    }
CELERY_RESULT_BACKEND = None  # tasks record their outcome in the database
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
# On a lost broker connection, let running tasks finish: a send task then marks what it sent,
# and the redelivered copy finds those rows sent (cancelling mid-batch would send them twice).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing must fail fast when the broker is down: the outbox sweep sends later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False  # never outside tests
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "portal.tasks.outbox_sweep_task",
        "schedule": OUTBOX_SWEEP_SECONDS,
        # Sweeps queued up while no worker ran are dropped: the next one does the same work.
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    "feedback-survey-scan": {
        "task": "feedback.tasks.survey_invitations_scan_task",
        "schedule": SURVEY_SCAN_SECONDS,
        "options": {"expires": SURVEY_SCAN_SECONDS},
    },
    "complaints-digest": {
        "task": "complaints.tasks.deadline_digest_task",
        "schedule": crontab(minute=0, hour=COMPLAINTS_DIGEST_HOUR),
    },
    "complaints-drafts-purge": {
        "task": "complaints.tasks.drafts_purge_task",
        "schedule": crontab(minute=15, hour=3),
    },
    "complaints-retention": {
        "task": "complaints.tasks.retention_task",
        "schedule": crontab(minute=30, hour=3, day_of_month=1),
    },
    "transparency-publish-scan": {
        "task": "transparency.tasks.publish_due_task",
        "schedule": TRANSPARENCY_PUBLISH_SCAN_SECONDS,
        "options": {"expires": TRANSPARENCY_PUBLISH_SCAN_SECONDS},
    },
    "events-reminder-scan": {
        "task": "events.tasks.reminders_scan_task",
        "schedule": EVENTS_REMINDER_SCAN_SECONDS,
        "options": {"expires": EVENTS_REMINDER_SCAN_SECONDS},
    },
}

# --- Security --------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
CSRF_FAILURE_VIEW = "portal.views.site.csrf_failure_view"
