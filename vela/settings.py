"""Settings for the Vela backend.

This is the only module that reads the environment (django-environ). Every name of
CONTRACT §3 is read here; names kept from the TypeScript API stay valid.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from vela.dynamodb_schema import table_names_from_env
from vela.routers import DSQL_ALIAS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def text(name: str, default: str = "") -> str:
    """A string setting; unset or blank (e.g. `NAME=` copied from .env.example) means the default."""
    return env.str(name, default="").strip() or default


# Local convenience only: real environment variables win over the file (tests turn it off).
if env.bool("VELA_READ_DOT_ENV", default=True):
    env.read_env(str(BASE_DIR / ".env"), overwrite=False)

# --- Django basics --------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Deployed stages must set a real key; locally a fixed dev key keeps `make run` zero-config.
SECRET_KEY = text("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if text("AWS_LAMBDA_FUNCTION_NAME"):  # set by the Lambda runtime: a deployed function
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set on the deployed function: put it in the stage's remote_env "
            "secrets object or on the function (docs/deploy.md, 'Two kinds of environment')."
        )
    SECRET_KEY = "vela-local-development-key-not-for-production"  # noqa: S105 - local runs only
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    # ReDoc's bundle packaged with the app (/api/docs works offline and behind strict networks).
    "drf_spectacular_sidecar",
    "django.contrib.staticfiles",
    "vela",
    "health",
    "profiles",
    "progress",
    "games",
    "sentences",
    "chat_history",
    "tts",
    "dictionary",
    "llm",
    "auth_proxy",
    "srs",
    "workspace",
    "deploy",
]

MIDDLEWARE = [
    # Outermost: request id (X-Request-Id), one access record and one latency metric per request.
    "vela.middleware.AccessLogMiddleware",
    # WhiteNoise for STATIC_URL (the docs' JavaScript, from the installed packages), before any routing.
    "vela.middleware.StaticFilesMiddleware",
    "vela.middleware.JsonErrorMiddleware",
    # 403 for disallowed origins, 204 preflights, allow headers on every response (reference §3.1).
    "vela.cors.CorsPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vela.urls"
WSGI_APPLICATION = "vela.wsgi.application"
# Paths match exactly, as in the original API: no slash redirects.
APPEND_SLASH = False
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Only drf-spectacular's docs page (/api/docs) renders a template.
TEMPLATES: list[dict[str, object]] = [
    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}
]
# Static files (only the docs page's JavaScript) are served by WhiteNoise straight from the installed
# apps (no collectstatic step, nothing to upload). Relative, so Django prefixes the API Gateway stage
# (SCRIPT_NAME `/dev`) and the page asks for /dev/api/static/... when deployed.
STATIC_URL = "api/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# --- Transport security (`manage.py check --deploy` is clean; tests/test_check_deploy.py) -----------
# API Gateway terminates TLS and tells the function so in X-Forwarded-Proto (it sets that header
# itself, so a caller cannot forge it): request.is_secure() and the HSTS header follow it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000  # only ever sent on HTTPS answers; plain-HTTP local runs never see it
X_FRAME_OPTIONS = "DENY"  # nothing of the API (not even /api/docs) is meant to be framed
SILENCED_SYSTEM_CHECKS = [
    # W003 CsrfViewMiddleware: a token-only JSON API - no cookie or session ever authenticates a request.
    "security.W003",
    # W005 HSTS includeSubDomains: the API may sit on a subdomain of a domain whose other hosts we don't run.
    "security.W005",
    # W008 SECURE_SSL_REDIRECT: API Gateway only listens on HTTPS; nothing reaches the function over HTTP.
    "security.W008",
    # W021 HSTS preload: a browser preload list entry is the domain owner's decision, not the API's.
    "security.W021",
]

# --- AWS ------------------------------------------------------------------------------------
AWS_REGION = text("AWS_REGION") or text("AWS_DEFAULT_REGION", "us-east-1")
# botocore reads AWS_ENDPOINT_URL itself; kept here so code and docs can show where clients go.
AWS_ENDPOINT_URL = text("AWS_ENDPOINT_URL") or None
# Bounds of every AWS call (vela/aws.py): seconds to connect, to wait for an answer, attempts in all.
AWS_CONNECT_TIMEOUT = env.float("AWS_CONNECT_TIMEOUT", default=3.0)
AWS_READ_TIMEOUT = env.float("AWS_READ_TIMEOUT", default=10.0)
AWS_MAX_ATTEMPTS = env.int("AWS_MAX_ATTEMPTS", default=4)

# --- Databases ------------------------------------------------------------------------------
# `default` holds nothing the service needs; DSQL is the secondary database under `dsql`.
DATABASES: dict[str, dict[str, object]] = {
    "default": env.db("DATABASE_URL", default="sqlite://:memory:"),
}

AURORA_DB_ENDPOINT = text("AURORA_DB_ENDPOINT")
AURORA_DB_CLUSTER_ARN = text("AURORA_DB_CLUSTER_ARN")
AURORA_DB_USER = text("AURORA_DB_USER", "admin")
if AURORA_DB_ENDPOINT:
    _dsql_options: dict[str, object] = {
        "sslmode": text("AURORA_DB_SSLMODE", "verify-full"),
        "connect_timeout": env.int("AURORA_DB_CONNECT_TIMEOUT", default=5),
    }
    if sslrootcert := text("AURORA_DB_SSLROOTCERT"):
        _dsql_options["sslrootcert"] = sslrootcert
    if hostaddr := text("AURORA_DB_HOSTADDR"):
        _dsql_options["hostaddr"] = hostaddr
    DATABASES[DSQL_ALIAS] = {
        "ENGINE": "dsql_backend",
        "HOST": AURORA_DB_ENDPOINT,
        "NAME": text("AURORA_DB_NAME", "postgres"),
        "PORT": env.int("AURORA_DB_PORT", default=5432),
        "USER": AURORA_DB_USER,
        # Backend options live at the top level, never in OPTIONS (which goes straight to psycopg).
        "REGION": AWS_REGION,
        "TOKEN_EXPIRES_IN": env.int("AURORA_DB_TOKEN_EXPIRES_IN", default=900),
        "CONN_MAX_AGE": 0,
        "OPTIONS": _dsql_options,
    }
# Relational apps (vela.routers.DSQL_APPS) live on DSQL; `default` keeps everything else.
DATABASE_ROUTERS: list[str] = ["vela.routers.DsqlRouter"]
DSQL_HEALTH_TIMEOUT = env.float("DSQL_HEALTH_TIMEOUT", default=5.0)

# --- DynamoDB -------------------------------------------------------------------------------
DDB_ENDPOINT = text("DDB_ENDPOINT")
if DDB_ENDPOINT in {"undefined", "null"}:
    DDB_ENDPOINT = ""
DDB_REGION = text("DDB_REGION") or AWS_REGION
# Names, defaults and legacy names of every table: the catalogue in vela/dynamodb_schema.py.
DYNAMODB_TABLES = table_names_from_env(text)

# --- Cognito --------------------------------------------------------------------------------
COGNITO_USER_POOL_ID = text("COGNITO_USER_POOL_ID") or text("VITE_COGNITO_USER_POOL_ID")
COGNITO_CLIENT_ID = text("COGNITO_CLIENT_ID") or text("VITE_COGNITO_USER_POOL_CLIENT_ID")
# Second app client (the mobile app, HEAD §3.5): its ID and access tokens are accepted too.
COGNITO_MOBILE_CLIENT_ID = text("COGNITO_MOBILE_CLIENT_ID")
COGNITO_ISSUER = text("COGNITO_ISSUER") or (
    f"https://cognito-idp.{AWS_REGION}.amazonaws.com/{COGNITO_USER_POOL_ID}" if COGNITO_USER_POOL_ID else ""
)
COGNITO_JWKS_URL = text("COGNITO_JWKS_URL") or (f"{COGNITO_ISSUER}/.well-known/jwks.json" if COGNITO_ISSUER else "")

# --- Third parties --------------------------------------------------------------------------
TTS_AUDIO_BUCKET_NAME = text("TTS_AUDIO_BUCKET_NAME")
ELEVENLABS_API_BASE_URL = text("ELEVENLABS_API_BASE_URL", "https://api.elevenlabs.io").rstrip("/")
GOOGLE_API_KEY = text("GOOGLE_API_KEY")
OPENROUTER_API_KEY = text("OPENROUTER_API_KEY")
GOOGLE_API_BASE_URL = text("GOOGLE_API_BASE_URL", "https://generativelanguage.googleapis.com").rstrip("/")
OPENROUTER_API_BASE_URL = text("OPENROUTER_API_BASE_URL", "https://openrouter.ai").rstrip("/")
CHUTES_API_BASE_URL = text("CHUTES_API_BASE_URL", "https://llm.chutes.ai").rstrip("/")
APP_NAME = text("APP_NAME", "Vela Japanese Learning App")
# Bounds of upstream calls, seconds: the whole ElevenLabs generation (original: 30 s -> 504), and
# each LLM call/stream (read timeout and overall deadline; keep below the Lambda timeout).
TTS_UPSTREAM_TIMEOUT = env.float("TTS_UPSTREAM_TIMEOUT", default=30.0)
# TTS providers of today's web app (HEAD §8.7) and the dictionary upstream (HEAD §6): scheme+host only.
OPENAI_API_BASE_URL = text("OPENAI_API_BASE_URL", "https://api.openai.com").rstrip("/")
GEMINI_API_BASE_URL = text("GEMINI_API_BASE_URL", "https://generativelanguage.googleapis.com").rstrip("/")
JISHO_API_BASE_URL = text("JISHO_API_BASE_URL", "https://jisho.org").rstrip("/")
DICTIONARY_UPSTREAM_TIMEOUT = env.float("DICTIONARY_UPSTREAM_TIMEOUT", default=5.0)  # HEAD aborts Jisho after 5 s
LLM_UPSTREAM_TIMEOUT = env.float("LLM_UPSTREAM_TIMEOUT", default=50.0)

# --- Compatibility switches (CONTRACT §2) ---------------------------------------------------
VELA_ALLOW_UNAUTHENTICATED_USER_ID = env.bool("VELA_ALLOW_UNAUTHENTICATED_USER_ID", default=False)
AUTH_AUTO_CONFIRM_ENABLED = env.bool("AUTH_AUTO_CONFIRM_ENABLED", default=False)

# --- CORS (django-cors-headers; the 403 for disallowed origins and 204 preflights: vela.cors) ---
CORS_ALLOWED_ORIGINS = [o.strip() for o in env.list("CORS_ALLOWED_ORIGINS", default=[]) if o.strip()]
# Browser extensions (HEAD §4.1): each id allows `chrome-extension://<id>` and `moz-extension://<id>`
# (no credentials header for those origins); see vela.cors.
CORS_ALLOWED_EXTENSION_IDS = [i.strip() for i in env.list("CORS_ALLOWED_EXTENSION_IDS", default=[]) if i.strip()]
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = ["authorization", "x-client-info", "apikey", "content-type"]
CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]

# --- DRF ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["vela.safe_json.SafeJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["vela.identity.CognitoAuthentication"],
    # Every route needs a verified caller unless its view derives from vela.views.PublicAPIView.
    "DEFAULT_PERMISSION_CLASSES": ["vela.permissions.CallerIdentified"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "vela.negotiation.JsonOnlyNegotiation",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "vela.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "vela.openapi_schema.AutoSchema",  # also registers our schema extensions
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vela API",
    "DESCRIPTION": "Backend of the Vela Japanese-learning web app.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs are public: a stale or forged Authorization header is not read there.
    "SERVE_AUTHENTICATION": [],
    # Statuses every route can answer (Django's request errors, CORS, 413/415, 401, 502/504): vela.openapi.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vela.openapi.add_global_responses",
    ],
    # ReDoc from drf-spectacular-sidecar (STATIC_URL), never from a CDN.
    "REDOC_DIST": "SIDECAR",
}

# --- Logging: one record per line, secrets masked in every field (see vela/logging.py) -------
# `json` (the default, and what deployed stages use): one JSON object per line for CloudWatch Logs
# Insights; `text`: `LEVEL logger message` for reading in a terminal (`make run` picks it).
VELA_LOG_FORMAT = text("VELA_LOG_FORMAT", "json").lower()
if VELA_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"VELA_LOG_FORMAT must be json or text, not {VELA_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "vela.logging.RedactSecretsFilter"},
        "request_id": {"()": "vela.logging.RequestIdFilter"},
    },
    "formatters": {"json": {"()": "vela.logging.JsonFormatter"}, "text": {"()": "vela.logging.TextFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": VELA_LOG_FORMAT,
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": text("DJANGO_LOG_LEVEL", "INFO")},
    # Zappa's per-request access line duplicates vela.access (and what API Gateway and Lambda record),
    # and costs CPU on every request: warnings and errors only. runserver's access line is dropped.
    "loggers": {
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "zappa": {"level": "WARNING"},
        # Django's own defaults would print these a second time (their handlers, plain format).
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": False},
    },
}

# --- Metrics: CloudWatch Embedded Metric Format lines on stdout (vela/metrics.py) -------------
# Set by the Lambda runtime; the metrics' FunctionName dimension ("local" elsewhere).
AWS_LAMBDA_FUNCTION_NAME = text("AWS_LAMBDA_FUNCTION_NAME")
# On by default where CloudWatch reads stdout (a deployed function); elsewhere the lines would only
# get in the way (`manage.py dsql_check --json | jq`): VELA_METRICS_ENABLED=true shows them.
VELA_METRICS_ENABLED = env.bool("VELA_METRICS_ENABLED", default=bool(AWS_LAMBDA_FUNCTION_NAME))
VELA_METRICS_NAMESPACE = text("VELA_METRICS_NAMESPACE", "Vela")
