"""Loaded first by pytest (`-p tests.environment`), before Django reads its settings.

Tests never reach a real AWS account: fake credentials, a fixed region, no profile, no endpoint
override inherited from the shell, and no `.env` values leaking in.
"""

import os

for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "DDB_ENDPOINT"):
    os.environ.pop(name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "AKIDVELATESTING0001"
os.environ["AWS_SECRET_ACCESS_KEY"] = "vela-test-secret-access-key"
os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.setdefault("DJANGO_SECRET_KEY", "vela-tests")
# The `dsql` alias is configured per test (tests/conftest.py), never from the developer's shell.
for name in ("AURORA_DB_ENDPOINT", "AURORA_DB_HOSTADDR", "AURORA_DB_USER", "AURORA_DB_SSLMODE"):
    os.environ.pop(name, None)
os.environ["VELA_READ_DOT_ENV"] = "false"
