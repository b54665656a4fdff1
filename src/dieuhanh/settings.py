"""Settings, read from the environment.

Every knob a deployment turns is an environment variable; the defaults give a
working single-machine install with an SQLite file under ``DIEUHANH_HOME``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin classes be written ModelAdmin[Model] for the type checker.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DIEUHANH_HOME = Path(os.environ.get("DIEUHANH_HOME", "var")).resolve()
# Reference data shipped with the product (units, boundaries, the demo catalogue); by default the
# data/ folder at the top of the source checkout.
DIEUHANH_DATA_DIR = Path(os.environ.get("DIEUHANH_DATA_DIR") or PACKAGE_DIR.parents[1] / "data")

DEBUG = env_bool("DIEUHANH_DEBUG", default=False)

SECRET_KEY = os.environ.get("DIEUHANH_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("DIEUHANH_REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("DIEUHANH_SECRET_KEY must be set in production.")
    # A per-installation key kept next to the database, so sessions survive restarts
    # without anyone having to invent a secret for a local demo.
    _key_file = DIEUHANH_HOME / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        SECRET_KEY = get_random_secret_key()
        try:
            DIEUHANH_HOME.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(SECRET_KEY)
            _key_file.chmod(0o600)
        except OSError:
            pass

# How many reverse proxies in front of the app add the client's address to X-Forwarded-For (nginx:
# 1). 0, the default, trusts no such header: a client could write any address in it.
DIEUHANH_PROXY_COUNT = int(os.environ.get("DIEUHANH_PROXY_COUNT", "0"))

ALLOWED_HOSTS = env_list("DIEUHANH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DIEUHANH_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "dieuhanh.accounts",
    "dieuhanh.orgunits",
    "dieuhanh.indicators",
    "dieuhanh.figures",
    "dieuhanh.ingest",
    "dieuhanh.analytics",
    "dieuhanh.dashboard",
    "dieuhanh.directives",
    "dieuhanh.projects",
    "dieuhanh.reporting",
    "dieuhanh.reports",
    "dieuhanh.demo",
    "dieuhanh.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dieuhanh.accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dieuhanh.accounts.middleware.ChosenLanguageMiddleware",
    "dieuhanh.accounts.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dieuhanh.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dieuhanh.urls"
WSGI_APPLICATION = "dieuhanh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_default_db = f"sqlite:///{DIEUHANH_HOME / 'dieuhanh.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or _default_db
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web app read while an import writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _sqlite_path = DATABASES["default"]["NAME"]
    if _sqlite_path and _sqlite_path != ":memory:":
        Path(_sqlite_path).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "dashboard:overview"

LANGUAGE_CODE = os.environ.get("DIEUHANH_LANGUAGE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dieuhanh.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DIEUHANH_HOME / "static"
# WhiteNoise warns on every request when the collectstatic target is missing.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the finders, so the demo works without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DIEUHANH_HOME / "media"

# Mail (directive reminders). Without DIEUHANH_EMAIL_HOST, mails are printed to the console.
EMAIL_HOST = os.environ.get("DIEUHANH_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("DIEUHANH_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DIEUHANH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DIEUHANH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DIEUHANH_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DIEUHANH_EMAIL_FROM", "dieuhanh@localhost")

# Uploads of a few MB are ordinary (a year of a district's figures); refuse what is not.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DIEUHANH_IMPORT_MAX_BYTES = int(os.environ.get("DIEUHANH_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
# An XLSX is a zip: what it unpacks to is what a worker holds, so that is bounded too (docs/imports.md).
DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES", str(512 * 1024 * 1024))
)

# The work one request may ask for (docs/api.md, "Limits"): indicator × unit × period cells of one
# analytics question (the national ranking of 3,321 communes is 3,321; of the 10,164 communes
# before 1 July 2025, 10,164), and rows of one page of a list.
DIEUHANH_MAX_ANALYTICS_CELLS = int(os.environ.get("DIEUHANH_MAX_ANALYTICS_CELLS", "20000"))
DIEUHANH_MAX_PAGE_SIZE = int(os.environ.get("DIEUHANH_MAX_PAGE_SIZE", "1000"))

# Answers of analytics are cached per process (or in a shared cache named here) under a stamp
# that every change of figures or catalogue renews; 0 turns the cache off.
DIEUHANH_ANALYTICS_CACHE_SECONDS = int(os.environ.get("DIEUHANH_ANALYTICS_CACHE_SECONDS", "300"))
# The share of the units expected to report a headline figure that must have, for a month to be
# the pages' and the report's default period (docs/analytics.md): 1 = all of them.
DIEUHANH_COMPLETE_SHARE = float(os.environ.get("DIEUHANH_COMPLETE_SHARE", "1"))

# The public-investment disbursement milestones of a year with none of its own in the register:
# "MM-DD:percent" separated by ";", "+" before a date in January of the next year (docs/public-investment.md).
DIEUHANH_PI_MILESTONES = os.environ.get("DIEUHANH_PI_MILESTONES", "06-30:30;09-30:60;+01-31:95")
# The register as open data (OC4IDS): the project ids' prefix (the province's registered OCID
# prefix) and the publisher's name (default: the province of the catalogue).
DIEUHANH_OC4IDS_PREFIX = os.environ.get("DIEUHANH_OC4IDS_PREFIX", "")
DIEUHANH_OC4IDS_PUBLISHER = os.environ.get("DIEUHANH_OC4IDS_PUBLISHER", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dieuhanh",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
    # The overview's rendered parts (dashboard/pagecache.py): large entries, so few per process.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dieuhanh-pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # The few parts asked most recently, uncompressed (up to about a MB each): served as they are.
    "pages-hot": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dieuhanh-pages-hot",
        "OPTIONS": {"MAX_ENTRIES": 24},
    },
}

# Reports (docs/reports.md): a folder of wording templates that replace the defaults shipped in
# dieuhanh/reports/wording/ file by file; unset, the defaults are used.
DIEUHANH_REPORT_WORDING_DIR = os.environ.get("DIEUHANH_REPORT_WORDING_DIR", "")


# Request limits (docs/deployment.md): API requests a minute per client address (anonymous) and per
# signed-in user, as DRF's rates ("120/minute", "5000/hour"); "off" lifts a limit.
def _throttle_rate(name: str, default: str) -> str | None:
    raw = os.environ.get(name, default).strip()
    return None if raw.lower() in {"", "off", "none", "0"} else raw


DIEUHANH_THROTTLE_ANON = _throttle_rate("DIEUHANH_THROTTLE_ANON", "300/minute")
DIEUHANH_THROTTLE_USER = _throttle_rate("DIEUHANH_THROTTLE_USER", "1200/minute")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dieuhanh.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["dieuhanh.accounts.permissions.ReadAnyoneWriteWithPermission"],
    # Decimal figures go out as JSON numbers with every digit, not as floats (dieuhanh.api).
    "DEFAULT_RENDERER_CLASSES": [
        "dieuhanh.api.ExactJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "dieuhanh.api.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "dieuhanh.limits.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    # Per client address (anonymous) and per user; see "Request limits" below.
    "DEFAULT_THROTTLE_CLASSES": [
        "dieuhanh.accounts.throttling.AnonymousRateThrottle",
        "dieuhanh.accounts.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": DIEUHANH_THROTTLE_ANON,
        "user": DIEUHANH_THROTTLE_USER,
    },
    # The client's address for throttling: X-Forwarded-For only behind the proxies we were told of.
    "NUM_PROXIES": DIEUHANH_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "dieuhanh API",
    "DESCRIPTION": "Indicators, org units, targets, data values, imports and analytics.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from swagger.io's validator: the page loads nothing from other sites (CSP).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Two fields of different choices would otherwise both be named "OrgUnitKindEnum" (a unit's
    # kind, and the kind of unit a data set expects reports from).
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "dieuhanh.orgunits.choices.OrgUnitKind",
        "ReportingKindEnum": "dieuhanh.reporting.choices.ReportingKind",
        "ReportStatusEnum": "dieuhanh.reporting.choices.ReportStatus",
        "ScheduleStatusEnum": "dieuhanh.projects.choices.ScheduleStatus",
        "CapitalSourceEnum": "dieuhanh.projects.choices.CapitalSource",
        "ProjectImportKindEnum": "dieuhanh.projects.choices.ProjectImportKind",
        "ProjectImportFormatEnum": "dieuhanh.projects.choices.ProjectImportFormat",
        "ImportStatusEnum": "dieuhanh.figures.choices.ImportStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DIEUHANH_LOG_LEVEL", "WARNING")},
}

SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read by a statement prepared once (accounts/sessions.py).
SESSION_ENGINE = "dieuhanh.accounts.sessions"
X_FRAME_OPTIONS = "DENY"

# --- Transport, sign-in and error pages (docs/deployment.md, docs/security.md) ---------------------

# Behind HTTPS (a reverse proxy terminating TLS that sets X-Forwarded-Proto, or TLS end to end):
# Secure cookies, the redirect from http://, HSTS, and the proxy's word on the scheme.
DIEUHANH_HTTPS = env_bool("DIEUHANH_HTTPS", default=False)
if DIEUHANH_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # The proxy must set (not pass on) this header, or a client could claim https itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DIEUHANH_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DIEUHANH_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # The header alone enrols nobody in the browsers' preload list (the domain's owner must apply);
    # it is on so that `check --deploy` is clean, and can be turned off.
    SECURE_HSTS_PRELOAD = env_bool("DIEUHANH_HSTS_PRELOAD", default=True)

# Sessions: signed out after DIEUHANH_SESSION_IDLE_MINUTES without a request, and in any case
# DIEUHANH_SESSION_MAX_HOURS after signing in (SessionTimeoutMiddleware keeps both clocks in the
# session; the cookie's own age is the maximum too). Django's default is 14 days.
DIEUHANH_SESSION_IDLE_MINUTES = int(os.environ.get("DIEUHANH_SESSION_IDLE_MINUTES", "30"))
DIEUHANH_SESSION_MAX_HOURS = int(os.environ.get("DIEUHANH_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = DIEUHANH_SESSION_MAX_HOURS * 3600

# Login lockout (django-axes): after DIEUHANH_LOGIN_FAILURE_LIMIT failed sign-ins for one account,
# or from one address, sign-in is refused for DIEUHANH_LOGIN_LOCKOUT_MINUTES (counted again from
# each refused try). Applies to the sign-in page and the admin's; API tokens are not passwords.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with a user's permissions read in one query (accounts/backends.py).
    "dieuhanh.accounts.backends.ModelBackendOneQuery",
    # Django's own, after it: a session signed in before the one above was named stays signed in
    # (a session names the backend that signed it in). It finds the permissions the one above
    # read, kept on the user, and asks nothing more.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DIEUHANH_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("DIEUHANH_LOGIN_LOCKOUT_MINUTES", "15")))
# Each on its own: an account, whatever the address, and an address, whatever the account (a
# single sign-on, which names no account, by its address only).
AXES_LOCKOUT_PARAMETERS = "dieuhanh.accounts.lockout.lockout_parameters"
# A success does not wipe the failures: it would let anyone with an account clear the count of
# the address they try other accounts' passwords from.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "dieuhanh.accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "dieuhanh.accounts.lockout.lockout_response"

# Single sign-on through the province's OpenID Connect provider (docs/deployment.md, "Single sign-on
# (OIDC)"): off unless DIEUHANH_OIDC_CLIENT_ID is set. The provider proves who someone is; what they
# may do stays dieuhanh's memberships: no role, unit or staff flag is ever read from its claims. The
# OIDC_* names are mozilla-django-oidc's (dieuhanh.accounts.oidc).
DIEUHANH_OIDC_CLIENT_ID = os.environ.get("DIEUHANH_OIDC_CLIENT_ID", "")
DIEUHANH_OIDC = bool(DIEUHANH_OIDC_CLIENT_ID)
# With the issuer, each endpoint not given is read from its discovery document
# (<issuer>/.well-known/openid-configuration) when first needed, and ID tokens must name it ("iss").
DIEUHANH_OIDC_ISSUER = os.environ.get("DIEUHANH_OIDC_ISSUER", "").strip().rstrip("/")
# Which claim finds the user among those made with `dieuhanh user create`: "email" (the user's e-mail
# address, which the provider must not call unverified) or "username" (preferred_username).
DIEUHANH_OIDC_MATCH = os.environ.get("DIEUHANH_OIDC_MATCH", "email").strip().lower()
# Off: only users already made in dieuhanh sign in. On: an unknown person gets an account holding no
# role (what the public sees) until an administrator gives them one.
DIEUHANH_OIDC_CREATE_USERS = env_bool("DIEUHANH_OIDC_CREATE_USERS", default=False)
OIDC_RP_CLIENT_ID = DIEUHANH_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = os.environ.get("DIEUHANH_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("DIEUHANH_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("DIEUHANH_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("DIEUHANH_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("DIEUHANH_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("DIEUHANH_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("DIEUHANH_OIDC_SCOPES", "openid email profile")
OIDC_CREATE_USER = DIEUHANH_OIDC_CREATE_USERS
# PKCE binds the provider's code to the browser that asked for it (RFC 9700 recommends it always).
OIDC_USE_PKCE = env_bool("DIEUHANH_OIDC_PKCE", default=True)
# The library waits forever by default: a provider that hangs would hold a worker.
OIDC_TIMEOUT = int(os.environ.get("DIEUHANH_OIDC_TIMEOUT_SECONDS", "10"))
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# Signing out of dieuhanh signs out of the provider too (OpenID Connect RP-Initiated Logout): the
# browser goes on to the provider's end-session endpoint (from the discovery document, or this
# setting) with the ID token kept in the session for it. DIEUHANH_OIDC_SINGLE_LOGOUT=false keeps
# the provider's session.
DIEUHANH_OIDC_SINGLE_LOGOUT = env_bool("DIEUHANH_OIDC_SINGLE_LOGOUT", default=True)
DIEUHANH_OIDC_END_SESSION_ENDPOINT = os.environ.get("DIEUHANH_OIDC_END_SESSION_ENDPOINT", "").strip()
OIDC_STORE_ID_TOKEN = DIEUHANH_OIDC and DIEUHANH_OIDC_SINGLE_LOGOUT
if DIEUHANH_OIDC:
    _endpoints = {
        "DIEUHANH_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "DIEUHANH_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "DIEUHANH_OIDC_USER_ENDPOINT": OIDC_OP_USER_ENDPOINT,
    }
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
        _endpoints["DIEUHANH_OIDC_JWKS_ENDPOINT"] = OIDC_OP_JWKS_ENDPOINT
    _missing = [name for name, value in _endpoints.items() if not value]
    # Checked at start: a setting left out is found by whoever starts the server, not by the first
    # official who clicks the button.
    if _missing and not DIEUHANH_OIDC_ISSUER:
        raise ImproperlyConfigured(f"Single sign-on needs DIEUHANH_OIDC_ISSUER or {', '.join(_missing)}.")
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("Single sign-on needs DIEUHANH_OIDC_CLIENT_SECRET.")
    if DIEUHANH_OIDC_MATCH not in {"email", "username"}:
        raise ImproperlyConfigured("DIEUHANH_OIDC_MATCH must be email or username.")
    # After the lockout's backend: an address locked out stays locked out this way too.
    AUTHENTICATION_BACKENDS.append("dieuhanh.accounts.oidc.OidcBackend")

# Content-Security-Policy of every response (ContentSecurityPolicyMiddleware). The pages load
# scripts and style sheets from the site only; an inline <style> needs the request's nonce
# ({{ request.csp_nonce }}). style attributes stay allowed (style-src-attr): the pages' bars (a
# tile's meter, a directive's progress) are drawn with them; a style attribute cannot run script.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The API's documentation (Swagger UI, Redoc, served from drf-spectacular-sidecar) injects its
# styles at run time and runs Redoc's search in a worker: a wider policy for those pages only.
CONTENT_SECURITY_POLICY_API_DOCS = {
    **CONTENT_SECURITY_POLICY,
    "style-src": ["'self'", "'unsafe-inline'"],
    "worker-src": ["'self'", "blob:"],
}
CONTENT_SECURITY_POLICY_API_DOCS_PATHS = ["/api/docs/", "/api/redoc/"]

# The technical error page (DEBUG on) hides secrets: passwords inside URLs (DATABASE_URL) too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "dieuhanh.accounts.error_reports.SecretMaskingExceptionReporterFilter"
