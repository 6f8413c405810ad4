"""Tests: fast hashing, plain static storage, mail kept in memory."""

import os
import tempfile

os.environ.setdefault("GUANXI_DATA_DIR", tempfile.mkdtemp(prefix="guanxi-test-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")

from .base import *  # noqa: E402,F403
from .base import DATA_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "test-media")},  # type: ignore[dict-item]
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
GUANXI_API_RATE = "100000/min"
# Tasks run inline in tests; the worker test turns this off to go through a real broker.
CELERY_TASK_ALWAYS_EAGER = True
# Warnings in tests stay out of the database; the system-log tests turn this on.
GUANXI_LOG_TO_DATABASE = False
