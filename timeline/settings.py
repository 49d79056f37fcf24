"""Settings for timeline, read from the environment with safe defaults.

DEBUG is off unless DJANGO_DEBUG is set; the SQLite file is the default
database and DATABASE_URL (e.g. postgres://user:pass@host/db) replaces it.
"""

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key_from_file(path: Path) -> str:
    """The key kept in `path`, created with mode 600 on first use, so that every worker and restart shares it.

    Workers starting at once race to create it: each writes a candidate to a temporary file of its own and
    hard-links it into place, which succeeds for exactly one of them, with the key already complete (an
    O_EXCL file could be seen empty); the others read the winner's key.
    """
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # mode 600
            try:
                with os.fdopen(descriptor, "w") as file:
                    file.write(get_random_secret_key())
                    file.flush()
                    os.fsync(file.fileno())
                with contextlib.suppress(FileExistsError):  # another worker's key won
                    os.link(candidate, path)
            finally:
                os.unlink(candidate)
        key = path.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot keep the secret key in {path} ({error}); set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a "
            "writable place."
        ) from error
    if not key:
        raise ImproperlyConfigured(f"The secret key file {path} is empty; delete it to have a new key made.")
    return key


DEBUG = env_bool("DJANGO_DEBUG")

# Without DJANGO_SECRET_KEY, a key made once and kept in a git-ignored file: a key per process would sign
# each worker's sessions differently and log editors out whenever another worker answers.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secret_key_from_file(
    Path(os.environ.get("DJANGO_SECRET_KEY_FILE") or BASE_DIR / "secret_key")
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "ninja",  # the JSON API; listed so its docs use the bundled static files, not a CDN
    "csp",
    "corsheaders",
    "axes",
    "timeline",
]

MIDDLEWARE = [
    # First, so that a CORS preflight is answered before anything else may answer (django-cors-headers' advice).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compress well (the chronology shrinks ~8x); WhiteNoise already serves static files compressed.
    # Reader pages carry no secrets; the admin's CSRF tokens are masked per response (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "timeline.middleware.ContentSecurityPolicyMiddleware",
    "timeline.middleware.permissions_policy",
    "timeline.middleware.refuse_nul_in_admin_queries",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "timeline.urls"
WSGI_APPLICATION = "timeline.wsgi.application"

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
            ],
        },
    },
]

# SQLite with several editors saving while readers browse (https://docs.djangoproject.com/en/5.2/ref/databases/
# #sqlite-notes): WAL so that readers never block the writer nor it them (https://sqlite.org/wal.html); IMMEDIATE
# transactions so that a save, which reads before it writes, takes the write lock when it begins and waits its
# turn, instead of failing at once with "database is locked" when it first writes (the busy timeout cannot help
# there); `timeout` seconds of waiting at most. synchronous=NORMAL is WAL's usual durability: a power cut may
# lose the last commits, never corrupt the file. Options given in DATABASE_URL (e.g. `?timeout=5`) win.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}


def database_settings(url: str) -> dict:
    """Django's settings for the database at `url` (dj-database-url), SQLite with SQLITE_OPTIONS."""
    database = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
    return database


DATABASES = {
    # An empty DATABASE_URL means "not set", as with every other setting here.
    "default": database_settings(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files served by WhiteNoise: https://whitenoise.readthedocs.io/
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in hx-headers.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT")
# A health checker asks the application server directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and the browsers' preload list bind every host under the domain (and a preload
    # takes months to undo): the domain's owner decides, with the two variables above; the site does not need them.
    "security.W005",
    "security.W021",
]
# Only behind a proxy that sets X-Forwarded-Proto itself, overwriting what the client sent: it tells Django
# the request came over HTTPS, so the SSL redirect does not loop and absolute URLs (embed code, oEmbed,
# feeds, sitemap, exports, canonical links) say https://. https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For; the client's address is taken from it (counting from
# the right, past those proxies) for login throttling only when this is set, since any client can send one.
TIMELINE_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))

# Content-Security-Policy by django-csp (timeline.middleware adds the admin's and the embeds' exceptions).
# Our pages load only our own files: no inline scripts or styles, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Permissions-Policy: browser features the site never uses, refused to it and to anything it frames.
# (clipboard-write stays allowed: the embed-code page's Copy button uses it.)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# CORS by django-cors-headers: any origin may read the open data (the API, the exports and feeds, oEmbed);
# there are no credentials to protect, and no other URL is opened.
CORS_URLS_REGEX = r"^/(api/|export\.csv$|export/|feeds/|oembed$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Failed admin logins, by django-axes: after 5 wrong passwords for one username from one address, that
# pair is locked out for 15 minutes (each further try restarts the wait); other users and addresses are not.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "timeline.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked-out.html"

# Which sites may frame the embed views (CSP frame-ancestors sources); every other page refuses framing.
TIMELINE_EMBED_FRAME_ANCESTORS = os.environ.get("TIMELINE_EMBED_FRAME_ANCESTORS", "*")

# Statements per chronology page.
TIMELINE_PAGE_SIZE = int(os.environ.get("TIMELINE_PAGE_SIZE", "50"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
