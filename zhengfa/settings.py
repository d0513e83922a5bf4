"""Settings for Zhengfa, read from the environment.

Every value has a safe default for the embedded run (`make run`). With
``ZHENGFA_ENV=production`` the defaults that would be unsafe — the secret key and the
field keys — are refused at start-up with a message naming the variable.
Any ``NAME`` may instead be given as ``NAME_FILE`` pointing at a file (container secrets).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHENGFA_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()


def _secret(name: str, default: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {path!r}, which cannot be read: {exc}"
            ) from exc
    return str(env.str(name, default=default))


ZHENGFA_ENV = env.str("ZHENGFA_ENV", default="development")
if ZHENGFA_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"ZHENGFA_ENV must be development, test or production, not {ZHENGFA_ENV!r}"
    )
PRODUCTION = ZHENGFA_ENV == "production"

# Defaults that only ever serve the embedded run. Production refuses every one of them.
_DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105
_DEFAULT_FIELD_KEY = "dev-only-field-encryption-key"
_DEFAULT_HASH_KEY = "dev-only-field-hash-key"

SECRET_KEY = _secret("SECRET_KEY", _DEFAULT_SECRET_KEY)
# Comma-separated: the first key encrypts, every key decrypts (rotation keeps old keys).
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in _secret("FIELD_ENCRYPTION_KEY", _DEFAULT_FIELD_KEY).split(",") if k.strip()
]
# Keyed hash for exact lookup of encrypted values; changing it needs a re-hash of stored rows.
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY", _DEFAULT_HASH_KEY)

if PRODUCTION:
    for _name, _value, _default in (
        ("SECRET_KEY", SECRET_KEY, _DEFAULT_SECRET_KEY),
        ("FIELD_HASH_KEY", FIELD_HASH_KEY, _DEFAULT_HASH_KEY),
    ):
        if _value == _default or len(_value) < 32:
            raise ImproperlyConfigured(
                f"{_name} is not set or is the development default; production refuses to start. "
                f"Set {_name} (or {_name}_FILE) to a random value of at least 32 characters."
            )
    if (
        not FIELD_ENCRYPTION_KEYS
        or _DEFAULT_FIELD_KEY in FIELD_ENCRYPTION_KEYS
        or any(len(k) < 32 for k in FIELD_ENCRYPTION_KEYS)
    ):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set or is the development default; production refuses "
            "to start. Set FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEY_FILE) to one or more "
            "comma-separated random values of at least 32 characters."
        )
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty")

# Off by default so that even the embedded demo shows the friendly error pages.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For is believed (e.g. 127.0.0.1 for nginx on the host).
TRUSTED_PROXIES: list[str] = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "zhengfa.core",
    "zhengfa.org",
    "zhengfa.campaign",
    "zhengfa.study",
    "zhengfa.rectify",
    "zhengfa.supervision",
    "zhengfa.mediation",
    "zhengfa.service",
    "zhengfa.reports",
    "zhengfa.portal",
]
if ZHENGFA_ENV == "test":
    # A module that exists only for core's own tests, so that they need no domain module
    # beyond org (whose units and roles every scope question is about).
    INSTALLED_APPS.append("zhengfa.core.tests.testapp")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhengfa.core.sessions.KeepAliveMiddleware",
    "zhengfa.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhengfa.core.middleware.RequireTwoFactorMiddleware",
    "zhengfa.core.middleware.RequirePasswordChangeMiddleware",
    "zhengfa.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "zhengfa.core.middleware.AuditMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengfa.urls"
# Form widgets are rendered by the project's templates, so that ours can replace Django's
# (zhengfa/templates/django/forms/: a select's options written in place).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "zhengfa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhengfa" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "zhengfa.core.context_processors.shell",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zhengfa.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A worker keeps its database connection between requests (PostgreSQL starts a process for
# each new one: milliseconds on every page otherwise), checked before reuse after an error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and a background worker share the embedded file.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Tests use a file, not shared memory, so that threads lock and wait as in real use.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-zhengfa.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://zhengfa")}
if PRODUCTION and CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] in {
    "LocMemCache",
    "DummyCache",
}:
    # Sign-in lockouts and the follow-up code limit count in the cache: with a cache per
    # process, each gunicorn worker would count alone and let N times the attempts through.
    raise ImproperlyConfigured(
        "CACHE_URL is not set or names a per-process cache; production refuses to start. Set "
        "CACHE_URL to a cache all processes share, e.g. redis://host:6379/0 or "
        "dbcache://zhengfa_cache (then run `manage.py createcachetable`)."
    )

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ZHENGFA_ENV == "test":
    # Still Argon2, at a cost that lets tests sign people in hundreds of times.
    PASSWORD_HASHERS = ["zhengfa.core.tests.testapp.hashers.QuickArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "zhengfa.core.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Idle sessions end after 30 minutes: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Saved when a minute of the idle time has passed, not on every page (core.sessions).
SESSION_ENGINE = "zhengfa.core.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Browsers keep to HTTPS for a year once they have seen the site (0 turns it off).
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)

# Login lockout (MLPS: login-failure handling): 5 failures lock the account for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Locked per account, as MLPS asks; staff sign in from shared office addresses, so an
# address-based lock would shut out a whole station for one person's typing.
AXES_LOCKOUT_PARAMETERS = ["username"]
# A name that is no account (often a password typed in the wrong field) is stored masked.
AXES_USERNAME_CALLABLE = "zhengfa.core.signals.lockout_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Two-factor: TOTP devices; the issuer shows in the phone app.
OTP_TOTP_ISSUER = "政法工作平台"
# Roles whose holders must pass a second factor before any staff page.
ZHENGFA_TWO_FACTOR_ROLES = ["sysadmin"]

# Audit log: kept at least 180 days (Cybersecurity Law art. 21); prune_audit never goes lower.
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))
AUDITLOG_INCLUDE_ALL_MODELS = False
# Masked fields (encrypted personal data) leave no part of their value in the log.
AUDITLOG_MASK_CALLABLE = "zhengfa.core.masking.mask_for_audit"
# Citizens submit anonymously: no address, port or client-sent correlation id is ever written
# with a change (core.middleware.AuditMiddleware).
AUDITLOG_DISABLE_REMOTE_ADDR = True
AUDITLOG_CID_HEADER = None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "zhengfa" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files: a local folder, or S3-compatible object storage (django-storages) with
# FILE_STORAGE=s3 and AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY (the last two may also come from *_FILE). Files are never public.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": _secret("AWS_ACCESS_KEY_ID", ""),
            "secret_key": _secret("AWS_SECRET_ACCESS_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {FILE_STORAGE!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# No MEDIA_URL is routed: files are served only by core:attachment_download.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_MB", default=20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Outside production whitenoise serves straight from the apps, so tests need no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Everything is served from our own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background work: django-tasks with the database backend; `manage.py worker` runs it.
TASKS = {
    "default": {
        # Tests run tasks inline when their transaction commits; everything else queues them.
        "BACKEND": env.str(
            "TASKS_BACKEND",
            default="django_tasks.backends.immediate.ImmediateBackend"
            if ZHENGFA_ENV == "test"
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default"],
    }
}

# Text messages to citizens. Console by default; FileBackend or HttpGatewayBackend by setting.
SMS_BACKEND = env.str("SMS_BACKEND", default="zhengfa.core.sms.ConsoleBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USER = env.str("SMS_GATEWAY_USER", default="")
SMS_GATEWAY_PASSWORD = _secret("SMS_GATEWAY_PASSWORD", "")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="zhengfa@localhost")

# Follow-up codes: attempts per client address and window (seconds), counted in the cache.
FOLLOWUP_RATE_LIMIT = (
    env.int("FOLLOWUP_RATE_LIMIT", default=10),
    env.int("FOLLOWUP_RATE_WINDOW", default=15 * 60),
)
# Public submissions (opinions, and the forms that follow) per client address and window.
SUBMISSION_RATE_LIMIT = (
    env.int("SUBMISSION_RATE_LIMIT", default=10),
    env.int("SUBMISSION_RATE_WINDOW", default=60 * 60),
)
# The proof of work a public form asks of the browser: the largest number its puzzle hides
# (SHA-256 tries; 50,000 take an old phone about a second, a script the same per copy).
PROOF_OF_WORK_MAX = env.int("PROOF_OF_WORK_MAX", default=50_000)
# Deadlines per workflow and state, in days, overriding each module's defaults:
# ZHENGFA_DEADLINES='{"campaign.task": {"assigned": 10}}'
ZHENGFA_DEADLINES: dict[str, dict[str, int | None]] = env.json("ZHENGFA_DEADLINES", default={})

# Who runs the site, shown in footers and text messages; by default the data says (the root
# unit and the area it serves). Set these where the names in the data do not suit.
ZHENGFA_OWNER_NAME = env.str("ZHENGFA_OWNER_NAME", default="")
ZHENGFA_AREA_NAME = env.str("ZHENGFA_AREA_NAME", default="")

# The password of the demo county's sign-ins, set when the demo is loaded.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Kangbao#2021")
