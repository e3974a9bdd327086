"""Baton settings: one module, every deployment difference comes from the environment.

Variables: DEBUG, SECRET_KEY, SECRET_KEY_FALLBACKS, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS,
CSRF_TRUSTED_ORIGINS, EMAIL_URL, DEFAULT_FROM_EMAIL, SECURE_SSL_REDIRECT, BATON_SITE_URL.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("BATON_TESTING", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # Development only: a fixed key is fine because DEBUG never runs in production.
        SECRET_KEY = "baton-insecure-development-key-never-use-in-production-0123456789"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(50+ random characters), or set DEBUG=1 for local development."
        )

# Old keys while rotating SECRET_KEY: sessions, signed links and the encrypted second-factor
# seeds (core/crypto.py) made with them stay valid. See README "Rotating SECRET_KEY".
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("BATON_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Baton's apps, in layer order (README "Layers"); core and teams before Django's own, so
    # teams' createsuperuser (a whole person, not a bare user) replaces django.contrib.auth's.
    "core",
    "teams",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "rules",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "axes",
    "csp",
    # The rest of Baton's apps (core and teams are at the top).
    "accounts",
    "notifications",
    "oncall",
    "projects",
    "escalations",
    "chat",
    "handoffs",
]

MIDDLEWARE = [
    # First: times every request (core.metrics), those refused below included.
    "core.metrics.RequestMetricsMiddleware",
    # Second: the request id, and one log line per request (core/logs.py).
    "core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "teams.middleware.ViewerClockMiddleware",  # times on the viewer's 12/24-hour clock
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth.usersessions' activity, written at most once a minute (accounts/activity.py).
    "accounts.activity.SessionActivityMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: everything above has identified the person; this refuses whoever is not verified.
    "accounts.middleware.DefaultDenyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "teams.context_processors.viewer",
                "notifications.context_processors.bell",
                "accounts.context_processors.second_factor",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
postgresql_engines = {
    "django.db.backends.postgresql",
    "django.contrib.gis.db.backends.postgis",
}
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif DATABASES["default"]["ENGINE"] in postgresql_engines:
    # Django keeps a persistent connection (CONN_MAX_AGE) per thread, and under ASGI every
    # request runs on a thread of its own: each left an idle connection behind until
    # PostgreSQL refused more ("too many clients"). A bounded psycopg pool per process takes
    # their place; a request hands its connection back when it ends. Sizing: README
    # "Database connections".
    db_pool_max = env.int("DB_POOL_MAX_SIZE", default=10)
    db_pool_min = env.int("DB_POOL_MIN_SIZE", default=1)
    db_pool_timeout = env.float("DB_POOL_TIMEOUT", default=10.0)
    conn_max_age = env.int("CONN_MAX_AGE", default=0)
    if db_pool_max > 0:
        if conn_max_age:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE cannot be combined with the connection pool: the pool already "
                "keeps connections open. Unset CONN_MAX_AGE, or set DB_POOL_MAX_SIZE=0 to "
                "turn the pool off (e.g. behind PgBouncer)."
            )
        if not 0 <= db_pool_min <= db_pool_max or db_pool_timeout <= 0:
            raise ImproperlyConfigured(
                "Need 0 <= DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE and DB_POOL_TIMEOUT > 0; got "
                f"{db_pool_min}, {db_pool_max} and {db_pool_timeout}."
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": db_pool_min,
            "max_size": db_pool_max,
            # Seconds a request waits for a free connection before a 503 (config/errors.py).
            "timeout": db_pool_timeout,
        }
    DATABASES["default"]["CONN_MAX_AGE"] = conn_max_age
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Prepared statements: a statement run this many times on a connection is planned once
    # for that connection from then on (core.pgcursor says why). 0 binds on the client and
    # prepares nothing, as Django does by default: for PgBouncer in transaction mode before
    # 1.21, or with its max_prepared_statements at 0.
    db_prepare_threshold = env.int("DB_PREPARE_THRESHOLD", default=5)
    if db_prepare_threshold < 0:
        raise ImproperlyConfigured(
            f"DB_PREPARE_THRESHOLD must be 0 (off) or more; got {db_prepare_threshold}."
        )
    if db_prepare_threshold:
        from core.pgcursor import PreparingCursor

        # server_side_binding tells Django too (its debug SQL and named cursors follow it).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            cursor_factory=PreparingCursor,
            server_side_binding=True,
            prepare_threshold=db_prepare_threshold,
        )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, channel layer, cache ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "baton",
        }
    }
    # redis-py 8 reads with a 5 s socket timeout by default, exactly as long as channels-redis
    # blocks in BZPOPMIN (5 s): the read raced Redis's empty reply, and idle sockets died with
    # "Timeout reading from ..." (channels_redis#422). Wait longer than the pop; a dead Redis
    # is still noticed.
    # max_connections: channels-redis takes a pool connection per layer call in flight (each
    # socket's group_add on connect, group_discard on close), and redis-py 8's asyncio pool
    # refuses the 101st with MaxConnectionsError instead of waiting, so 100+ sockets opening
    # or closing together failed. Receiving costs one connection per process (one BZPOPMIN
    # for all its sockets), so idle sockets hold none; size for the largest burst of opens
    # and closes, keeping ASGI processes x this below Redis's maxclients (10,000 default).
    # channel_capacity: all of a process's sockets ("specific.<process>!...") share one
    # Redis queue, capped like any channel at `capacity` (100): sending an event to each of
    # 1,000 people at once dropped up to a quarter of them. This cap on that queue allows a
    # burst for every socket a process holds; each socket's own buffer stays at 100.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
                    }
                ],
                "prefix": "baton",
                "channel_capacity": {
                    "specific.*": env.int("CHANNEL_LAYER_CAPACITY", default=5000),
                },
            },
        }
    }
else:
    # Tests and one-off commands without Redis: process-local stand-ins.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# The entries are code: each app registers its own in core.beat (config/celery.py).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers and beat log through LOGGING below (request ids, LOG_FORMAT=json), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /readyz fails when beat has not run lately (config/health.py). Off in DEBUG and tests, and
# wherever no beat runs on purpose.
READY_REQUIRE_BEAT = env.bool("READY_REQUIRE_BEAT", default=not DEBUG and not TESTING)

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.BatonAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.BatonAccountAdapter"
MFA_ADAPTER = "accounts.adapter.BatonMFAAdapter"  # second-factor seeds encrypted at rest
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Choosing a password from the invitation (or a reset link) signs the person in, then the
# default-deny middleware walks them through the second factor if their role needs one.
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_FORMS = {"reset_password_from_key": "accounts.forms.SetPasswordFromLinkForm"}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Baton"
# allauth refuses MFA set-up while an address is unverified, against someone signing up with
# another person's address and locking them out. Baton has no self sign-up (admins create
# every account), so that attack does not exist here, and refusing would lock out a person
# an admin created with a password. Links sent by e-mail mark the address verified anyway.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = True

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_identifier"  # see that module
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "accounts.api_permissions.IsVerifiedPerson",
        "accounts.api_permissions.TokenHasScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.PersonRateThrottle",
        "accounts.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "person": env.str("THROTTLE_PERSON", default="1200/min"),
        "token": env.str("THROTTLE_TOKEN", default="600/min"),
    },
    # JSON only: the browsable API's pages use inline scripts, which the CSP forbids. DRF's
    # renderer with orjson writing the text (core/api.py).
    "DEFAULT_RENDERER_CLASSES": ["core.api.FastJSONRenderer"],
    # DRF's JSON parser plus depth, number and size limits (core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Failed Bearer authentications allowed per client address (accounts/throttling.py).
API_TOKEN_FAILURES = env.str("API_TOKEN_FAILURES", default="30/min")
# /metrics (accounts/scrape.py): besides a scrape token (`manage.py metrics_token create`),
# these client addresses or CIDR networks (REMOTE_ADDR) may read it, e.g. "10.0.0.0/8".
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
SPECTACULAR_SETTINGS = {
    "TITLE": "Baton API",
    "DESCRIPTION": "People, teams, on-call, handoffs and escalations across time zones.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs page are for people reading in a browser: a signed-in,
    # verified session. An API token (least privilege: it acts on its scopes' data only)
    # gets a 401 here rather than a map of every endpoint.
    "SERVE_PERMISSIONS": ["accounts.api_permissions.IsVerifiedPerson"],
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    # core.converters' `id`: an integer of at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api_schema.document_error_responses",
    ],
}

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Baton <baton@localhost>")

# One line per request and per task, each with a request id (core/logs.py); LOG_FORMAT=json
# writes every line as one JSON object, for a log pipeline.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.logs.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# --- Notifications (notifications/) ---------------------------------------------------------
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30)
NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
NOTIFICATIONS_SWEEP_AFTER_SECONDS = 60  # a pending row this old lost its signal
NOTIFICATIONS_SENDING_LEASE_SECONDS = 300  # a 'sending' row this old lost its worker
NOTIFICATIONS_WEBHOOK_TIMEOUT = 5
NOTIFICATIONS_WEBHOOK_DISABLE_AFTER = 15  # failed attempts in a row
# SSRF guard: webhooks may only call public addresses, except these hosts (or all, when
# ALLOW_PRIVATE is on, e.g. an on-premises deployment that posts to an internal chat server).
NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = env.list("NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS", default=[])
NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = env.bool("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", default=False)

# --- Projects (projects/) ----------------------------------------------------------------------
# A project is stale after this many of its owner's working days without a status update.
PROJECTS_STALE_WORKING_DAYS = env.int("PROJECTS_STALE_WORKING_DAYS", default=10)
# An ownership transfer nobody answers expires after this many days (both people are told).
PROJECTS_TRANSFER_EXPIRY_DAYS = env.int("PROJECTS_TRANSFER_EXPIRY_DAYS", default=7)
# The ownership map flags people who own more than this many open critical projects.
PROJECTS_OVERLOAD_CRITICAL = env.int("PROJECTS_OVERLOAD_CRITICAL", default=3)

# --- Escalations (escalations/) ----------------------------------------------------------------
# The beat sweeper fires a pending step this many seconds after its due time if its task has
# not (a lost task: a killed worker, a Redis restart).
ESCALATIONS_SWEEP_GRACE_SECONDS = env.float("ESCALATIONS_SWEEP_GRACE_SECONDS", default=5.0)
# A step due further off than this gets no task when written (a long ETA would outlive Redis'
# visibility timeout and be redelivered); the sweeper sends its task as it comes near.
ESCALATIONS_ETA_MAX_SECONDS = env.float("ESCALATIONS_ETA_MAX_SECONDS", default=1800.0)
# Overdue steps one sweep fires at most (the next sweep takes the rest).
ESCALATIONS_SWEEP_BATCH = env.int("ESCALATIONS_SWEEP_BATCH", default=200)
# Inbound urgent updates (POST /api/v1/integrations/{key}/updates/): requests per key and per
# client address (DRF rate strings), and the largest body accepted (bytes).
INTEGRATION_RATE_PER_KEY = env.str("INTEGRATION_RATE_PER_KEY", default="120/min")
INTEGRATION_RATE_PER_ADDRESS = env.str("INTEGRATION_RATE_PER_ADDRESS", default="600/min")
INTEGRATION_MAX_BODY_BYTES = env.int("INTEGRATION_MAX_BODY_BYTES", default=256 * 1024)

# --- Handoffs (handoffs/) -----------------------------------------------------------------------
# A recipient who has not acknowledged a note is reminded after this many of their working
# hours from its delivery, and escalated past after as many more.
HANDOFF_REMIND_WORKING_HOURS = env.float("HANDOFF_REMIND_WORKING_HOURS", default=4.0)
