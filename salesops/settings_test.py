"""Settings for the test suite: PostgreSQL from DATABASE_URL, fast hashing, tasks run inline."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SALESOPS_ENCRYPTION_KEY", "test-encryption-key-not-for-production-0123456789")

from salesops.settings import *  # noqa: F403
from salesops.settings import DATABASES, Q_CLUSTER

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(  # noqa: F405
        "DATABASE_URL must point at PostgreSQL for the tests; run them with `make test`"
    )

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
