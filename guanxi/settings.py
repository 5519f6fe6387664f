"""Settings, all read from the environment (see README "Configuration").

SQLite under ./var by default; DATABASE_URL switches to PostgreSQL.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GUANXI_DATA_DIR", Path.cwd() / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


SECRET_KEY = os.environ.get("SECRET_KEY", "guanxi-insecure-dev-key-change-me-in-production")
# Off unless asked for: debug pages expose settings and URL patterns.
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.inlines",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "guanxi.core",
    "guanxi.accounts",
    "guanxi.contacts",
    "guanxi.assessments",
    "guanxi.transactions",
    "guanxi.touchpoints",
    "guanxi.duplicates",
    "guanxi.imports",
    "guanxi.insights",
    "guanxi.tiers",
    "guanxi.leads",
    "guanxi.activities",
    "guanxi.relationships",
    "guanxi.surveys",
    "guanxi.service",
    "guanxi.agreements",
    "guanxi.loyalty",
    "guanxi.plans",
    "guanxi.pipeline",
    "guanxi.workspace",
    "guanxi.reports",
    "guanxi.merging",
    "guanxi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'guanxi.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the server read while an import or the worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # The search indexes carry extra columns on PostgreSQL (INCLUDE) for index-only reads; SQLite
    # builds them without, which is all it needs at its size.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# A streaming read replica (PostgreSQL): list pages, reports and the analysis read from it, writes
# and read-after-write stay on the primary (guanxi/core/replica.py says which reads, and why).
# Without DATABASE_REPLICA_URL nothing is installed.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# After a request that wrote, that browser reads from the primary for this long.
GUANXI_REPLICA_PIN_SECONDS = envint("GUANXI_REPLICA_PIN_SECONDS", 10)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=envint("CONN_MAX_AGE", 0)
    )
    # Tests write: under a test run the alias points at the primary's test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["guanxi.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(0, "guanxi.core.replica.ReplicaMiddleware")

AUTH_USER_MODEL = "core.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Serve straight from the apps' static folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Guanxi's own knobs.
GUANXI_CURRENCY = os.environ.get("GUANXI_CURRENCY", "CNY")
GUANXI_IMPORT_BATCH_SIZE = envint("GUANXI_IMPORT_BATCH_SIZE", 50_000)
# Parallel COPY writers for big imports on PostgreSQL (0 = one per core, at most 4).
GUANXI_IMPORT_WORKERS = envint("GUANXI_IMPORT_WORKERS", 0)
# The address customers open survey links at (e.g. https://crm.example.com); empty: the links
# are made absolute from the page that shows them.
GUANXI_PUBLIC_URL = os.environ.get("GUANXI_PUBLIC_URL", "").rstrip("/")
# The public survey page: requests per client address per minute (then 429).
GUANXI_SURVEY_RATE_LIMIT = envint("GUANXI_SURVEY_RATE_LIMIT", 30)
GUANXI_API_PAGE_SIZE = envint("GUANXI_API_PAGE_SIZE", 50)
# Today shows the top N of each section by priority, with the total and a "show all" link.
GUANXI_TODAY_LIMIT = envint("GUANXI_TODAY_LIMIT", 20)
# An open deal at or over this amount (CNY) is a "large deal" on Today (0: only the account's own
# 90th percentile of past deals counts).
GUANXI_LARGE_DEAL = envint("GUANXI_LARGE_DEAL", 500_000)
# Agreements ending within this many days get a renewal risk score (nightly) and show on Today.
GUANXI_RENEWAL_WINDOW_DAYS = envint("GUANXI_RENEWAL_WINDOW_DAYS", 90)
# A promoter (NPS 9–10) not asked for a referral within this many months gets a task (nightly).
GUANXI_REFERRAL_ASK_MONTHS = envint("GUANXI_REFERRAL_ASK_MONTHS", 6)
# The API's login throttle keys on REMOTE_ADDR alone, never on X-Forwarded-For, so a client cannot
# dodge it with a made-up header. Behind a reverse proxy, guanxi.wsgi puts the client's address in
# REMOTE_ADDR (GUANXI_TRUSTED_PROXIES), so the throttle sees clients, not the proxy.
NINJA_NUM_PROXIES = 0
# Analysis runs whose per-account scores are kept (the newest; at least 1). Older runs keep their
# report (models, holdout check, Pareto curve, segment counts) but lose their score rows, so the
# score table stays about this many runs × accounts however long Guanxi runs.
GUANXI_ANALYSIS_RUNS_KEPT = envint("GUANXI_ANALYSIS_RUNS_KEPT", 12)

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background and periodic jobs (`guanxi worker`). SQLite storage next to the database by default;
# HUEY_REDIS_URL (e.g. redis://127.0.0.1:6379/0) switches to Redis for production.
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")


def huey_config(
    *, redis_url: str, data_dir: Path, immediate: bool, workers: int, name: str = "guanxi"
) -> dict:
    """The HUEY setting djhuey builds its queue from (a function so tests can check the switch)."""
    storage = {"url": redis_url} if redis_url else {"filename": str(data_dir / "huey.sqlite3")}
    return {
        "name": name,
        "huey_class": "huey.RedisHuey" if redis_url else "huey.SqliteHuey",
        "immediate": immediate,
        # Huey keeps its clock in UTC; the nightly schedule converts to TIME_ZONE itself
        # (guanxi.workspace.tasks.nightly_due), so the run follows local time wherever the server
        # is.
        "utc": True,
        "consumer": {"workers": workers, "worker_type": "thread"},
        **storage,
    }


# djhuey opens the queue when Django starts, before any conftest runs: under pytest every job runs
# inline (immediate mode, in-memory queue), so no test touches var/huey.sqlite3 or Redis.
HUEY = huey_config(
    redis_url=HUEY_REDIS_URL,
    data_dir=DATA_DIR,
    immediate=envbool("HUEY_IMMEDIATE", "pytest" in sys.modules),
    workers=envint("HUEY_WORKERS", 2),
    # Two Guanxi installations on one Redis need two names (their keys are prefixed with it).
    name=os.environ.get("HUEY_NAME", "guanxi"),
)
if not HUEY["immediate"] and not HUEY_REDIS_URL:
    # SqliteHuey creates its file as soon as Django starts; the directory must exist by then.
    DATA_DIR.mkdir(parents=True, exist_ok=True)


def cache_config(*, redis_url: str, data_dir: Path, testing: bool) -> dict:
    """The CACHES setting. The rate limits (the API's login, the survey links) count in the
    cache, so every server process must share it: Redis when CACHE_REDIS_URL (or HUEY_REDIS_URL)
    names one, else files in the data directory; Django's default, a cache per process, would
    multiply a limit by the number of processes. Under pytest a per-process memory cache, so
    test runs never count into each other."""
    if testing:
        cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    elif redis_url:
        cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    else:
        cache = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(data_dir / "cache"),
        }
    return {"default": cache}


CACHES = cache_config(
    redis_url=os.environ.get("CACHE_REDIS_URL", HUEY_REDIS_URL),
    data_dir=DATA_DIR,
    testing="pytest" in sys.modules,
)
# The customer distribution report is kept this long per viewer and filters (0: computed on every
# view; tests compute every time unless they say otherwise).
GUANXI_DISTRIBUTION_CACHE_SECONDS = envint(
    "GUANXI_DISTRIBUTION_CACHE_SECONDS", 0 if "pytest" in sys.modules else 600
)
# The nightly chain (analytics → tiering → discount reviews → policy tasks) starts at this hour,
# local time (TIME_ZONE).
GUANXI_NIGHTLY_HOUR = envint("GUANXI_NIGHTLY_HOUR", 2)
# A run in progress (job, import, analysis, tiering) moves its heartbeat this often; seen from
# another host, a run whose heartbeat is older than GUANXI_RUN_STALE_SECONDS is interrupted
# (core.leases). On its own host a run is interrupted as soon as its process is gone.
# Under pytest no heartbeat thread by default: it would hold a connection to the test database.
GUANXI_RUN_HEARTBEAT_SECONDS = envint(
    "GUANXI_RUN_HEARTBEAT_SECONDS", 0 if "pytest" in sys.modules else 30
)
GUANXI_RUN_STALE_SECONDS = envint("GUANXI_RUN_STALE_SECONDS", 300)

UNFOLD = {
    "SITE_TITLE": _("Guanxi CRM"),
    "SITE_HEADER": _("Guanxi"),
    "SITE_SUBHEADER": _("Key-account lifecycle CRM"),
    "SITE_SYMBOL": "handshake",
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("guanxi/favicon.svg"),
        },
    ],
    "SHOW_LANGUAGES": True,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "guanxi.workspace.dashboard.dashboard_callback",
    # Every admin page: numbers on Chart.js axes and tooltips as 万/亿 or k/M (after Chart.js).
    "SCRIPTS": [lambda request: static("guanxi/charts.js")],
    "COLORS": {
        "primary": {
            "50": "oklch(97.1% .013 17.38)",
            "100": "oklch(93.6% .032 17.717)",
            "200": "oklch(88.5% .062 18.334)",
            "300": "oklch(80.8% .114 19.571)",
            "400": "oklch(70.4% .191 22.216)",
            "500": "oklch(63.7% .237 25.331)",
            "600": "oklch(57.7% .245 27.325)",
            "700": "oklch(50.5% .213 27.518)",
            "800": "oklch(44.4% .177 26.899)",
            "900": "oklch(39.6% .141 25.723)",
            "950": "oklch(25.8% .092 26.042)",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "guanxi.core.navigation.sidebar_navigation",
    },
}


def request_log_without_4xx_traceback(record) -> bool:
    """Logging filter for django.request: a 4xx (a 403 from PermissionDenied, a 404) is an
    expected answer, logged as one warning line; its traceback would bury the 5xx ones that
    matter, which keep theirs."""
    status = getattr(record, "status_code", None)
    if status is not None and status < 500:
        record.exc_info = None
        record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_4xx_traceback": {"()": lambda: request_log_without_4xx_traceback}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["no_4xx_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
