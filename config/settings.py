"""FirstValue settings, read from the environment: the one place a knob is declared.

With no environment at all the app runs for local use: DEBUG on, a SQLite file
next to the code, no broker (Celery tasks run in-process). Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL; see
.env.example (every variable read here, tested) and docs/deployment.md.
Code reads ``settings.NAME``, never ``getattr(settings, NAME, default)``: the default is here.
Durations carry their unit in the name (``_SECONDS``, ``_MINUTES``) or in a comment.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config import benchmarks
from config.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address, for links in emails and the Microsoft 365 app manifest. Local runs default
# to the dev server; with DEBUG off it has no default, and the m365-agent export refuses to run.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# The organisation's own privacy notice and terms of use (Markdown files) for /privacy/ and
# /terms/, which the Microsoft 365 app manifest links to; empty: a default text says what
# FirstValue keeps.
PRIVACY_POLICY_FILE = os.environ.get("PRIVACY_POLICY_FILE", "")
TERMS_OF_USE_FILE = os.environ.get("TERMS_OF_USE_FILE", "")
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "audit",
    "roles",
    "templates_library",
    "onboarding",
    "insights",
    "studio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the Host header: answers the load balancer's /healthz.
    "config.health.HealthCheckMiddleware",
    # Before anything reads a body: an API request over API_MAX_BODY_BYTES gets a JSON 413.
    "config.api.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.sso",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),  # seconds
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The sweep's covering index (INCLUDE) is PostgreSQL's; SQLite builds it without the extra column.
SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
SILENCED_SYSTEM_CHECKS = ["models.W040"] if SQLITE else []

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend goes first so that a locked-out username+IP never reaches the others.
AUTHENTICATION_BACKENDS = [
    "config.auth.LoginThrottleBackend",
    "config.auth.EmailOrUsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"  # config.views.home: role-aware
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The organisation's reference timezone; each employee's own timezone drives their calendar.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]  # static/css/app.css, the base layout's styles
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Cache: the store every process shares (sign-in link rate limit) -------------------------
# CACHE_URL=redis://…: Redis. Empty: the database (the table "firstvalue_cache", created by the
# onboarding migration 0007; after changing CACHES run `manage.py createcachetable`). Never a
# per-process memory cache: a limit kept per process is no limit (docs/security.md, "Sign-in").
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "firstvalue_cache",
        }
    }

# --- Email -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "FirstValue <firstvalue@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)  # seconds
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )

# --- Celery ----------------------------------------------------------------
# Every Celery setting lives here (config/celery.py only loads them). No broker configured: tasks
# run in-process (local use and plain tests only).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
# Never pickle: a task takes ids, and JSON keeps it that way.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Seconds. A send hangs at most this long (SMTP and webhooks have their own timeouts below it).
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 60
# A worker that dies mid-task leaves the message unacked, so it is delivered again; the row's
# compare-and-set claim keeps that from sending twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}  # seconds
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# One beat process in the whole deployment (docs/deployment.md). The triggers sweep runs every
# 15 minutes; a sweep that could not start within its period is superseded by the next one.
CELERY_BEAT_SCHEDULE = {
    "triggers-sweep": {
        "task": "onboarding.tasks.triggers_sweep_task",
        "schedule": 15 * 60,  # seconds
        "options": {"expires": 15 * 60 - 60},  # seconds
    },
}

# --- Microsoft Graph: the Copilot usage report (sync_usage; docs/metrics.md) ----------------
# App-only credentials of an Entra app with Reports.Read.All: a client secret, or a certificate
# (PEM with its private key, and the thumbprint Entra shows for it).
GRAPH_TENANT_ID = os.environ.get("GRAPH_TENANT_ID", "")
GRAPH_CLIENT_ID = os.environ.get("GRAPH_CLIENT_ID", "")
GRAPH_CLIENT_SECRET = os.environ.get("GRAPH_CLIENT_SECRET", "")
GRAPH_CLIENT_CERTIFICATE_PATH = os.environ.get("GRAPH_CLIENT_CERTIFICATE_PATH", "")
GRAPH_CLIENT_CERTIFICATE_THUMBPRINT = os.environ.get("GRAPH_CLIENT_CERTIFICATE_THUMBPRINT", "")
GRAPH_BASE_URL = os.environ.get("GRAPH_BASE_URL", "https://graph.microsoft.com").rstrip("/")
GRAPH_AUTHORITY_HOST = os.environ.get(
    "GRAPH_AUTHORITY_HOST", "https://login.microsoftonline.com"
).rstrip("/")
# A CA bundle for both hosts (a TLS-inspecting proxy); empty: the system's.
GRAPH_CA_BUNDLE = os.environ.get("GRAPH_CA_BUNDLE", "")
# 429/503 are retried after their Retry-After, capped at this many seconds, this many tries.
GRAPH_RETRY_MAX_SECONDS = env_int("GRAPH_RETRY_MAX_SECONDS", 120)
GRAPH_MAX_ATTEMPTS = env_int("GRAPH_MAX_ATTEMPTS", 5)
GRAPH_CONFIGURED = bool(
    GRAPH_TENANT_ID and GRAPH_CLIENT_ID and (GRAPH_CLIENT_SECRET or GRAPH_CLIENT_CERTIFICATE_PATH)
)
# The daily sync's hour (UTC); the report has each day within about 72 hours.
USAGE_SYNC_HOUR_UTC = env_int("USAGE_SYNC_HOUR_UTC", 6)
if GRAPH_CONFIGURED:
    CELERY_BEAT_SCHEDULE["usage-sync"] = {
        "task": "insights.tasks.usage_sync_task",
        "schedule": crontab(minute=0, hour=USAGE_SYNC_HOUR_UTC),
        "options": {"expires": 12 * 3600},  # seconds
    }

# --- Open WebUI: push_prompts (docs/exports.md) -------------------------------------------
# Its address, for the studio's "Push to Open WebUI" (the command takes --url).
OPENWEBUI_URL = os.environ.get("OPENWEBUI_URL", "").rstrip("/")
OPENWEBUI_API_KEY = os.environ.get("OPENWEBUI_API_KEY", "")
# The model each role's preset runs on (an id Open WebUI lists, e.g. "gpt-4o").
OPENWEBUI_BASE_MODEL = os.environ.get("OPENWEBUI_BASE_MODEL", "")

# --- REST framework --------------------------------------------------------
REST_FRAMEWORK = {
    # The one list for every API view. Basic first: an anonymous caller gets 401 with a
    # WWW-Authenticate challenge (DRF answers 403 when the first class is the session's).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view states who may use it.
    "DEFAULT_PERMISSION_CLASSES": ["roles.permissions.IsEnablement"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies bounded in size and depth; every error a JSON body (config/api.py).
    "DEFAULT_PARSER_CLASSES": ["config.api.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.schema.FirstValueAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FirstValue API",
    "DESCRIPTION": "Role packs, first-week paths, FVM recording and value metrics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI served from our own static files: no CDN, and the strict CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Onboarding: the sweep, sending, check-ins, webhooks (docs/triggers.md) ----------------
# TRIGGERS_*, the non-activation sweep. A nudge found this long after it fell due, once the
# person's day-7 window has ended, is recorded as too late and not sent (2 working days + a
# weekend).
TRIGGERS_TOO_LATE_AFTER_DAYS = int(os.environ.get("TRIGGERS_TOO_LATE_AFTER_DAYS", "4"))
# How far back a sweep looks: working days that began longer ago are not recorded at all.
TRIGGERS_CATCH_UP_DAYS = int(os.environ.get("TRIGGERS_CATCH_UP_DAYS", "14"))
# A pending send this long past its expected pick-up lost its task: the sweep enqueues it again.
TRIGGERS_REQUEUE_AFTER_MINUTES = int(os.environ.get("TRIGGERS_REQUEUE_AFTER_MINUTES", "5"))
# A send claimed this long ago belongs to a dead worker (longer than the task's hard limit).
TRIGGERS_CLAIM_TIMEOUT_MINUTES = int(os.environ.get("TRIGGERS_CLAIM_TIMEOUT_MINUTES", "10"))
# Ids per enqueued batch message (about 15 kB of JSON at 2000).
TRIGGERS_ENQUEUE_CHUNK_IDS = int(os.environ.get("TRIGGERS_ENQUEUE_CHUNK_IDS", "2000"))
# SEND_*, delivering interventions and check-ins: tries before a row is marked failed (a nudge
# whose channel is down is retried until too late instead), and the first retry's wait
# (doubling each time, with jitter, capped at an hour).
SEND_MAX_ATTEMPTS = int(os.environ.get("SEND_MAX_ATTEMPTS", "5"))
SEND_RETRY_BASE_SECONDS = float(os.environ.get("SEND_RETRY_BASE_SECONDS", "30"))
# CHECKINS_*: a day-30/90 check-in found later than this after its day began is not sent.
CHECKINS_SEND_WITHIN_DAYS = int(os.environ.get("CHECKINS_SEND_WITHIN_DAYS", "10"))
# WEBHOOK_*: hosts that may resolve to loopback/private addresses, and whether those (only
# those) may be called over plain http: local testing with a loopback receiver only.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS")
WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS = env_bool("WEBHOOK_ALLOW_HTTP_FOR_ALLOWED_HOSTS", False)
# Seconds one webhook call may take in all (connect, TLS, send, the answer's status line and
# headers): a receiver that drips its answer is cut off here (onboarding.http_post).
WEBHOOK_DEADLINE_SECONDS = float(os.environ.get("WEBHOOK_DEADLINE_SECONDS", "10"))

# --- Value metrics -----------------------------------------------------------
# Benchmarks and thresholds of the reports, the seeds' values (config/benchmarks.py).
METRICS = benchmarks.METRICS

# --- Sign-in by email link ------------------------------------------------
MAGIC_LINK_MAX_AGE = env_int("MAGIC_LINK_MAX_AGE", 3 * 24 * 3600)  # seconds a link stays valid

# --- Security --------------------------------------------------------------
# Input limits (docs/security.md, "Input limits"). Bytes of a request body Django reads into
# memory (forms, JSON): larger is a 413 (JSON) on the API. Django's default, said here.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Bytes of any API request body, the bulk enrollment CSV included (about 150,000 rows).
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 16 * 1024 * 1024)
# Levels of nested lists/objects a JSON body may have (a role pack needs 6).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 32)
# Sessions: 12 hours by default; SESSION_EXPIRE_AT_BROWSER_CLOSE=1 also ends them with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)  # seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy, sent by config.middleware on every response. Scripts and styles come
# from our own static files; an inline <script>/<style> needs nonce="{{ request.csp_nonce }}".
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce'"],
    "style-src": ["'self'", "'nonce'"],
    "img-src": ["'self'", "https:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer probes /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS += [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Login throttling (django-axes): 5 failures for one account (username or email) from one IP lock
# that pair out for 15 minutes, on /accounts/login/, /admin/login/ and HTTP Basic auth on the API
# alike. Axes keeps its counts in the database: every process and machine shares them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_VERBOSE = False  # no banner on every command
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "config.auth.throttle_username"
AXES_WHITELIST_CALLABLE = "config.auth.not_a_password_login"
# Failed password sign-ins from one client address, whatever the accounts, that lock that
# address out of password sign-in for the cool-off (config.auth.address_locked_out).
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
# The proxies (addresses or networks) whose X-Forwarded-For is believed (config.auth.client_ip);
# empty: the client address is REMOTE_ADDR and the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network (e.g. 10.0.1.0/24)."
        ) from None
AXES_CLIENT_IP_CALLABLE = "config.auth.client_ip"

# --- Audit trail -------------------------------------------------------------
# The audit app imports none of ours, so what it needs to know about them is said here.
AUDIT_CLIENT_IP_CALLABLE = "config.auth.client_ip"
# Requests under this path are admin requests (config/urls.py mounts the admin there), whose
# saves of the models below are recorded with before and after (label → action prefix).
AUDIT_ADMIN_PATH_PREFIX = "/admin/"
AUDIT_ADMIN_MODELS = {
    "roles.RolePackVersion": "pack",
    "roles.PathStep": "pathstep",
    "roles.Intervention": "intervention",
    "roles.Kpi": "kpi",
    "roles.Prompt": "prompt",
    "roles.PromptVariable": "promptvariable",
    "roles.Demo": "demo",
    # Enrollments are not listed: the admin's enrollment forms call the enrollment service,
    # which records enrollment.create/change/delete itself.
}

# --- Single sign-on (OpenID Connect) ---------------------------------------
# Off unless OIDC_RP_CLIENT_ID is set; then /oidc/ is routed and the login page offers
# "Sign in with your company account". Works with Entra ID, Okta or any OIDC provider.
# The setting names are mozilla-django-oidc's; declared either way so code reads them plainly.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
# Either the provider's discovery document (issuer URL or its .well-known address) …
OIDC_OP_DISCOVERY = os.environ.get("OIDC_OP_DISCOVERY", "")
# … or the endpoints one by one (these win over discovery).
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")  # checked against the token's iss
# Enrollment usually creates the account first; a first SSO login may create it too.
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", True)
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
# Seconds, for each call to the provider (discovery, token, keys, userinfo).
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATE_CLASS = "config.oidc.AuthenticationRequestView"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("config.oidc.EmailOIDCBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default config also logs "django" to a console handler; one is enough.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
