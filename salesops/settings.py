"""Django settings for salesops.

Everything that differs between machines comes from the environment (see ``.env.example``)
and is parsed by ``salesops.env``, which fails loudly with the variable's name.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from salesops.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address people reach the app at: used in links inside emails (invitations, unsubscribe).
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "anymail",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "salesops",
    "campaigns",
    "agents",
    "agents.meetings",
    "agents.conversations",
    "agents.insights",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "salesops.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "salesops.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "salesops.urls"
WSGI_APPLICATION = "salesops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Delivery and outreach are sub-packages of the agents app, not apps of their own: their templates
        # sit beside their views, so the loader is told where.
        "DIRS": [
            BASE_DIR / "templates",
            BASE_DIR / "agents" / "delivery" / "templates",
            BASE_DIR / "agents" / "outreach" / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesops.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'salesops.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves one machine; a busy timeout lets web and worker share it, and the
    # write-ahead log lets them read while another writes (synchronous=NORMAL: durable at checkpoints, the
    # setting SQLite recommends with WAL; a commit no longer waits for a disk flush).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; on SQLite the same index simply has its key columns only,
# which is what we want there, so the warning that says so is noise in `make run`.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "salesops.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# allauth: e-mail login, no open sign-up (people join by invitation), TOTP two-factor.
ACCOUNT_ADAPTER = "salesops.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "salesops"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Mail: configured from Django's EMAIL_* variable names into Django 6.1's MAILERS.
# Without EMAIL_HOST, mail is printed to the console; with the sandbox on (below) it is kept there instead.
EMAIL_HOST_FROM_ENV = env_str("EMAIL_HOST")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": EMAIL_HOST_FROM_ENV,
            "port": env_int("EMAIL_PORT", 25, minimum=1),
            "username": env_str("EMAIL_HOST_USER", default=""),
            "password": env_str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "timeout": 30,
        },
    }
    if EMAIL_HOST_FROM_ENV
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="salesops <no-reply@localhost>")

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via SALESOPS_BEHIND_PROXY.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SALESOPS_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Background work: django-q2. Redis when REDIS_URL is set, else the database (ORM broker).
# timeout < retry so that a task is never handed out twice while it still runs;
# max_attempts bounds retries; failures are kept for the inbox and the admin.
REDIS_URL = env_str("REDIS_URL")
Q_CLUSTER = {
    "name": "salesops",
    "workers": env_int("SALESOPS_WORKERS", 2, minimum=1),
    "timeout": env_int("SALESOPS_TASK_TIMEOUT", 300, minimum=1),
    "retry": env_int("SALESOPS_TASK_TIMEOUT", 300, minimum=1) + 60,
    "max_attempts": 3,
    # Successful task results are not kept: every agent step and action is already recorded (AgentStep,
    # the audit log), nothing reads them, and pruning them to a limit reads and locks that many rows after
    # every task (django-q2's monitor): at 1,000 that capped the ORM broker near 50 tasks/s. Failures are
    # kept (ack_failures).
    "save_limit": -1,
    # The pusher takes up to ten queued tasks per broker query instead of one.
    "bulk": 10,
    "ack_failures": True,
    "catch_up": False,
    "queue_limit": 50,
    "sync": env_bool("SALESOPS_TASKS_SYNC", default=False),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Model provider for the agents.
SALESOPS_LLM_PROVIDER = env_choice("SALESOPS_LLM_PROVIDER", ("offline", "anthropic"), "offline")
ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env_str("ANTHROPIC_BASE_URL")
if SALESOPS_LLM_PROVIDER == "anthropic" and not ANTHROPIC_API_KEY:
    raise ImproperlyConfigured("ANTHROPIC_API_KEY must be set when SALESOPS_LLM_PROVIDER=anthropic")

SALESOPS_INVITATION_MAX_AGE_DAYS = env_int("SALESOPS_INVITATION_MAX_AGE_DAYS", 7, minimum=1)
# Inbound emails larger than this are kept as failed with the reason (bytes; 10 MB).
SALESOPS_INBOUND_MAX_BYTES = env_int("SALESOPS_INBOUND_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# A stored message not processed this many minutes after it arrived (or after a worker claimed it) is
# picked up again: a lost task or a worker that died loses no mail.
SALESOPS_INBOUND_STALE_MINUTES = env_int("SALESOPS_INBOUND_STALE_MINUTES", 10, minimum=1)
# CSV uploads larger than this are refused before anything is stored (bytes; 50 MB).
SALESOPS_IMPORT_MAX_BYTES = env_int("SALESOPS_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # flufl.bounce logs every detector it runs at INFO.
    "loggers": {"flufl.bounce": {"level": "WARNING"}},
}

# ---------------------------------------------------------------------------------------------------
# Model providers (agents/llm): model per agent, price table, structured output, retries and budget.
# Every value can be overridden from the environment (see .env.example); bad values stop start-up.
# ---------------------------------------------------------------------------------------------------
from decimal import Decimal, InvalidOperation  # noqa: E402


def _env_decimal(name: str, default: str) -> Decimal:
    raw = env_str(name, default=default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, got {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be a number >= 0, got {raw!r}")
    return value


def _env_llm_prices(name: str, defaults: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    """Price table in USD per million tokens; entries from the environment replace or add models.

    Format: ``model=input/output/cache_write/cache_read``, comma-separated.
    """
    prices = {model: dict(row) for model, row in defaults.items()}
    for item in env_list(name):
        model, _, numbers = item.partition("=")
        parts = numbers.split("/")
        try:
            values = [Decimal(part.strip()) for part in parts]
        except InvalidOperation:
            values = []
        if not model.strip() or len(values) != 4 or any(not v.is_finite() or v < 0 for v in values):
            raise ImproperlyConfigured(
                f"{name} entries must look like model=input/output/cache_write/cache_read, got {item!r}"
            )
        prices[model.strip()] = dict(zip(("input", "output", "cache_write", "cache_read"), values, strict=True))
    return prices


# Model per agent. Haiku-class for the high-volume judgement steps, Sonnet-class for writing.
SALESOPS_LLM_MODELS = {
    "research": env_str("SALESOPS_LLM_MODEL_RESEARCH", default="claude-haiku-5-5"),
    "qualify": env_str("SALESOPS_LLM_MODEL_QUALIFY", default="claude-haiku-5-5"),
    "write": env_str("SALESOPS_LLM_MODEL_WRITE", default="claude-sonnet-5-5"),
    "verify": env_str("SALESOPS_LLM_MODEL_VERIFY", default="claude-haiku-5-5"),
    "classify": env_str("SALESOPS_LLM_MODEL_CLASSIFY", default="claude-haiku-5-5"),
}
# USD per million tokens: base input, output, 5-minute cache write, cache read (Anthropic's list
# prices, Nov 2026). Haiku 5.5 bills prompts over 100k tokens at a higher band; our prompts stay far below.
SALESOPS_LLM_PRICES = _env_llm_prices(
    "SALESOPS_LLM_PRICES",
    {
        "claude-haiku-5-5": {
            "input": Decimal("0.10"),
            "output": Decimal("0.50"),
            "cache_write": Decimal("0.125"),
            "cache_read": Decimal("0.01"),
        },
        "claude-sonnet-5-5": {
            "input": Decimal("2"),
            "output": Decimal("10"),
            "cache_write": Decimal("2.50"),
            "cache_read": Decimal("0.10"),
        },
        "claude-haiku-4-5": {
            "input": Decimal("1"),
            "output": Decimal("5"),
            "cache_write": Decimal("1.25"),
            "cache_read": Decimal("0.10"),
        },
        "claude-sonnet-4-5": {
            "input": Decimal("3"),
            "output": Decimal("15"),
            "cache_write": Decimal("3.75"),
            "cache_read": Decimal("0.30"),
        },
    },
)
for _agent, _model in SALESOPS_LLM_MODELS.items():
    if _model not in SALESOPS_LLM_PRICES:
        raise ImproperlyConfigured(
            f"SALESOPS_LLM_MODEL_{_agent.upper()}={_model!r} has no price; add it to SALESOPS_LLM_PRICES"
        )
# How the model returns structured output: the GA JSON-schema output format (works on every current
# model) or one forced tool (tool_choice), which Sonnet 5.5 and Opus 5.5 reject with HTTP 400.
SALESOPS_LLM_STRUCTURED_OUTPUT = env_choice("SALESOPS_LLM_STRUCTURED_OUTPUT", ("json_schema", "tool"), "json_schema")
# Retries: the SDK retries each request itself, then our layer retries 429/529/5xx/timeouts/connection
# errors with exponential backoff and jitter, up to this many attempts in total.
SALESOPS_LLM_SDK_MAX_RETRIES = env_int("SALESOPS_LLM_SDK_MAX_RETRIES", 2, minimum=0)
SALESOPS_LLM_RETRY_ATTEMPTS = env_int("SALESOPS_LLM_RETRY_ATTEMPTS", 3, minimum=1)
SALESOPS_LLM_RETRY_BASE_DELAY_MS = env_int("SALESOPS_LLM_RETRY_BASE_DELAY_MS", 2000, minimum=0)
SALESOPS_LLM_RETRY_MAX_DELAY_MS = env_int("SALESOPS_LLM_RETRY_MAX_DELAY_MS", 30000, minimum=0)
SALESOPS_LLM_TIMEOUT_SECONDS = env_int("SALESOPS_LLM_TIMEOUT_SECONDS", 120, minimum=1)
# Default monthly model spend per workspace in USD; past it the agents stop and hand off.
SALESOPS_LLM_MONTHLY_BUDGET_USD = _env_decimal("SALESOPS_LLM_MONTHLY_BUDGET_USD", "50")

# Agent orchestration: how many leads of one workspace a worker takes through the pipeline at once
# (their model calls run concurrently), and how often the campaign tick runs (minutes).
SALESOPS_AGENT_CONCURRENCY = env_int("SALESOPS_AGENT_CONCURRENCY", 8, minimum=1)
SALESOPS_TICK_MINUTES = env_int("SALESOPS_TICK_MINUTES", 15, minimum=1)

# ---------------------------------------------------------------------------------------------------
# Delivery (agents/delivery): secrets at rest, the sandbox, the deliverability agent's limits.
# ---------------------------------------------------------------------------------------------------
# Key(s) encrypting mailbox secrets at rest, comma-separated: the first encrypts, every one decrypts
# (add a new key in front to rotate). Required with DEBUG off; development derives one from SECRET_KEY.
SALESOPS_ENCRYPTION_KEYS = env_list("SALESOPS_ENCRYPTION_KEY")
if not SALESOPS_ENCRYPTION_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("SALESOPS_ENCRYPTION_KEY must be set when DEBUG is off")
    SALESOPS_ENCRYPTION_KEYS = ["development-only:" + SECRET_KEY]
for _key in SALESOPS_ENCRYPTION_KEYS:
    if len(_key) < 32:
        raise ImproperlyConfigured("SALESOPS_ENCRYPTION_KEY must be at least 32 characters (each key, if several)")
# Without EMAIL_HOST in development, outgoing prospect mail is kept in the app's "Sandbox mail" page.
SALESOPS_MAIL_SANDBOX = env_bool("SALESOPS_MAIL_SANDBOX", default=DEBUG and not EMAIL_HOST_FROM_ENV)
if SALESOPS_MAIL_SANDBOX:
    # The app's own mail too (invitations, password resets, meeting invitations): one place to read it all.
    MAILERS["default"] = {"BACKEND": "agents.delivery.sandbox.SystemMailSandboxBackend"}
# The domain in generated Message-IDs. [SITE_URL's host]
SALESOPS_MESSAGE_ID_DOMAIN = env_str(
    "SALESOPS_MESSAGE_ID_DOMAIN",
    default=(SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"),
)
# Scheduling: how far ahead slots are handed out, how far apart one mailbox's emails are at least,
# how many emails one recipient domain gets a day from the workspace, how late a slot may still be used.
SALESOPS_DELIVERY_HORIZON_DAYS = env_int("SALESOPS_DELIVERY_HORIZON_DAYS", 14, minimum=1)
SALESOPS_DELIVERY_MIN_SPACING_SECONDS = env_int("SALESOPS_DELIVERY_MIN_SPACING_SECONDS", 120, minimum=1)
SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT = env_int("SALESOPS_DELIVERY_DOMAIN_DAILY_LIMIT", 20, minimum=1)
SALESOPS_DELIVERY_LATE_GRACE_SECONDS = env_int("SALESOPS_DELIVERY_LATE_GRACE_SECONDS", 900, minimum=1)
# Sending: attempts while the server accepted nothing, the SMTP timeout, and when a row left in
# "sending" (a worker died mid-send) becomes "outcome unknown" and an exception for a person.
SALESOPS_DELIVERY_MAX_ATTEMPTS = env_int("SALESOPS_DELIVERY_MAX_ATTEMPTS", 3, minimum=1)
SALESOPS_DELIVERY_SMTP_TIMEOUT_SECONDS = env_int("SALESOPS_DELIVERY_SMTP_TIMEOUT_SECONDS", 30, minimum=1)
SALESOPS_DELIVERY_STUCK_AFTER_SECONDS = env_int("SALESOPS_DELIVERY_STUCK_AFTER_SECONDS", 600, minimum=60)
SALESOPS_DELIVERY_TICK_MINUTES = env_int("SALESOPS_DELIVERY_TICK_MINUTES", 1, minimum=1)
# Automatic stop of a mailbox or campaign: recent hard-bounce and complaint rates (fractions), over the
# last RATE_WINDOW_DAYS, once at least RATE_MIN_SENT emails were sent.
SALESOPS_DELIVERY_MAX_BOUNCE_RATE = _env_decimal("SALESOPS_DELIVERY_MAX_BOUNCE_RATE", "0.03")
SALESOPS_DELIVERY_MAX_COMPLAINT_RATE = _env_decimal("SALESOPS_DELIVERY_MAX_COMPLAINT_RATE", "0.001")
SALESOPS_DELIVERY_RATE_WINDOW_DAYS = env_int("SALESOPS_DELIVERY_RATE_WINDOW_DAYS", 14, minimum=1)
SALESOPS_DELIVERY_RATE_MIN_SENT = env_int("SALESOPS_DELIVERY_RATE_MIN_SENT", 20, minimum=1)

# The prospect simulator answers sandbox mail (development and demos only: on by default when DEBUG
# runs without a real mail server).
SALESOPS_PROSPECT_SIMULATOR = env_bool("SALESOPS_PROSPECT_SIMULATOR", default=DEBUG and not EMAIL_HOST_FROM_ENV)
SALESOPS_PROSPECT_SIMULATOR_DELAY_SECONDS = env_int("SALESOPS_PROSPECT_SIMULATOR_DELAY_SECONDS", 20, minimum=0)

# Email service providers' inbound webhooks (django-anymail), e.g. /anymail/postmark/inbound/.
# The providers authenticate with HTTP basic auth "user:password"; without a secret the webhooks refuse all.
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", default="") or None}
