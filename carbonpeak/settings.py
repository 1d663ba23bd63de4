"""Django settings. Everything configurable comes from environment variables (listed in docs/deployment.md).

CARBONPEAK_HOME holds the embedded SQLite database, uploaded files, collected static files and the generated
secret key. Default: the checkout's var/ when run from a source checkout (whatever the working directory),
else $XDG_DATA_HOME/carbonpeak (~/.local/share/carbonpeak).
DATABASE_URL switches to PostgreSQL, e.g. postgres://carbonpeak:PASSWORD@127.0.0.1:5432/carbonpeak.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _default_home() -> Path:
    checkout = BASE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "plans").is_dir():
        return checkout / "var"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "carbonpeak"


HOME = Path(os.environ.get("CARBONPEAK_HOME") or _default_home()).resolve()
HOME.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key(home: Path) -> str:
    """SECRET_KEY from the environment, else the key generated on first start and kept in HOME (mode 600).

    There is no public default: a key in the source would let anyone forge sessions and password-reset links.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = home / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        draft = home / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(get_random_secret_key())
        try:  # link: atomic and never overwrites, so two processes starting at once keep one key
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to generate a new key, or set SECRET_KEY")
    return key


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _secret_key(HOME)
CARBONPEAK_PRIVATE = _env_bool("CARBONPEAK_PRIVATE", False)
"""true: every page and API route needs a login (default: the plan and aggregate progress are public)."""
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

DOMAIN_APPS = ["plan", "accounting", "monitoring", "tracking", "scenarios", "progress", "assessment", "review"]
"""Domain apps in dependency order: URLs, API routers and demo data are collected from them in this order."""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",  # the worker's job queue and schedules (ORM broker: the same database, SQLite or PostgreSQL)
    "ninja",  # serves the OpenAPI docs' Swagger UI from its own static files: no CDN, works offline
    "carbonpeak.core",
    "carbonpeak.plan",
    "carbonpeak.tracking",
    "carbonpeak.accounting",
    "carbonpeak.monitoring",
    "carbonpeak.scenarios",
    "carbonpeak.progress",
    "carbonpeak.assessment",
    "carbonpeak.review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carbonpeak.core.middleware.ContentSecurityPolicyMiddleware",
    "carbonpeak.core.middleware.MemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carbonpeak.core.middleware.PlatformLanguageMiddleware",
    "carbonpeak.core.middleware.UnstorableInputMiddleware",  # before anything looks a query, cookie or body up
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "carbonpeak.core.plan.PlanScopeMiddleware",  # /p/<plan code>/… (before the access rules, which see the rest)
    "carbonpeak.core.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "carbonpeak.urls"
WSGI_APPLICATION = "carbonpeak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "carbonpeak.core.context_processors.navigation",
                "carbonpeak.core.context_processors.plan_switcher",
                "carbonpeak.core.context_processors.unread_notifications",
            ],
            "builtins": ["carbonpeak.core.templatetags.numbers"],  # `|num`: numbers for people on every page
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'carbonpeak.sqlite3'}",  # unset or empty: SQLite
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web app read while an ingest writes; a busy timeout instead of "database is locked". Connections
    # are kept (DB_CONN_MAX_AGE, one per server thread): opening one costs more than most pages' queries.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Login rate limiting counts failures in the cache, which the web server's processes (`carbonpeak up` runs several)
# share: a file-based cache in CACHE_DIR (default: the home's cache/ folder).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": os.environ.get("CACHE_DIR") or str(HOME / "cache")},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
CARBONPEAK_TODAY = os.environ.get("CARBONPEAK_TODAY") or None
"""Fix the platform's "today" (ISO date) for demos, rehearsals and tests; see carbonpeak.core.clock."""
USE_I18N = True
FORMAT_MODULE_PATH = ["carbonpeak.core.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "carbonpeak.core.storage.StaticFilesStorage"},  # WhiteNoise, hashed names
}
MEDIA_URL = "/media/"
MEDIA_ROOT = HOME / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# HTTPS, normally behind a reverse proxy that terminates TLS (docs/deployment.md).
HTTPS = _env_bool("HTTPS", False)
"""Served over HTTPS: secure cookies, redirect http to https, HSTS."""
if _env_bool("TRUST_X_FORWARDED_PROTO", False):
    # only behind a proxy that sets this header itself (nginx: proxy_set_header X-Forwarded-Proto $scheme)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and _env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's and the bench's health checks may use plain http
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

CARBONPEAK_PLAN_CODE = os.environ.get("CARBONPEAK_PLAN", "")  # the default landing plan; "" = the first loaded

# The worker (`carbonpeak worker`, started by `carbonpeak up`): django-q2 with its ORM broker, so jobs and
# schedules live in the platform's own database and need no other service (carbonpeak/core/worker.py).
Q_CLUSTER = {
    "name": "carbonpeak",
    "orm": "default",
    "workers": int(os.environ.get("WORKER_PROCESSES", "1")),
    "timeout": 1800,  # seconds a job may run (an alert evaluation over a large fleet)
    "retry": 2000,  # must exceed timeout
    "max_attempts": 1,
    "catch_up": False,  # after downtime a periodic job runs once, not once per missed period
    "poll": 2,
    "save_limit": 500,
    "label": _("Worker"),
}
WORKER_ALERTS_MINUTES = int(os.environ.get("ALERTS_EVERY_MINUTES", "15"))
"""How often the worker re-evaluates the monitoring alerts."""
MQTT_HOST = os.environ.get("MQTT_HOST", "")
"""An MQTT broker the worker subscribes to for meter readings (empty: no MQTT subscriber)."""
MQTT_PORT = int(os.environ.get("MQTT_PORT", "1883"))
MQTT_TOPIC = os.environ.get("MQTT_TOPIC", "carbonpeak/readings/#")

WORKER_REMINDERS_MINUTES = int(os.environ.get("REMINDERS_EVERY_MINUTES", "60"))
"""How often the worker sends the reporting reminders (each one goes out once per unit, period, kind and person)."""
REMINDER_DAYS_BEFORE_DUE = int(os.environ.get("REMINDER_DAYS_BEFORE_DUE", "3"))
"""Units that still owe reports this many days before a period's due date are reminded once (0: no such reminder)."""

# E-mail (the reminders): Django's SMTP back end. Without EMAIL_HOST reminders stay in the app.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "carbonpeak@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000/")
"""The platform's address as users reach it: the links in e-mails."""
