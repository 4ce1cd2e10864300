"""Settings for the test suite: PostgreSQL or SQLite from DATABASE_URL, fast hashing, tasks run inline.

`make test` runs the suite twice: on PostgreSQL (production's database) and on SQLite (the embedded
database of `make run`, so a bug only SQLite shows is caught before a new user meets it)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SALESOPS_ENCRYPTION_KEY", "test-encryption-key-not-for-production-0123456789")

from salesops.settings import *  # noqa: F403
from salesops.settings import DATABASES, Q_CLUSTER

TEST_DATABASE_VENDOR = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}.get(
    DATABASES["default"]["ENGINE"]
)
if TEST_DATABASE_VENDOR is None:
    raise ImproperlyConfigured(  # noqa: F405
        "DATABASE_URL must point at PostgreSQL or SQLite for the tests; run them with `make test`"
    )
if TEST_DATABASE_VENDOR == "sqlite":
    # A test database in a file, not in memory: tests that start a worker process or use threads
    # must see the same rows. The name is derived from the configured file so parallel runs differ.
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks inline; the real-worker test starts `qcluster` with this turned off.
Q_CLUSTER = {**Q_CLUSTER, "sync": os.environ.get("SALESOPS_TEST_REAL_WORKER") != "1"}
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/ip,5/5m/key"}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
