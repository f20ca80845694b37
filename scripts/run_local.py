"""`make run`: the API on http://127.0.0.1:8000 with embedded defaults and no AWS account.

- DSQL: the `dsql` alias points at the local PostgreSQL (database `vela_local`), with the token
  signed for a fake DSQL hostname and libpq dialling 127.0.0.1 (`AURORA_DB_HOSTADDR`).
- Anything already set in the environment or `.env` wins over these defaults.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LOCAL_DSQL_HOST = "vela0local0cluster0abcdef.dsql.us-east-1.on.aws"
LOCAL_DATABASE = "vela_local"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def set_default(name: str, value: str) -> None:
    os.environ.setdefault(name, value)


def prepare_postgres(host: str, port: int) -> bool:
    """Create the local database and DSQL's `admin` role; False when PostgreSQL is not reachable."""
    import psycopg

    try:
        with psycopg.connect(
            host=host, port=port, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3
        ) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (LOCAL_DATABASE,)).fetchone():
                conn.execute(f'CREATE DATABASE "{LOCAL_DATABASE}"')
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'admin'").fetchone():
                conn.execute("CREATE ROLE admin LOGIN SUPERUSER")
    except psycopg.OperationalError as exc:
        say(f"PostgreSQL not reachable on {host}:{port} ({exc.__class__.__name__}); DSQL probe will report it")
        return False
    return True


def configure_dsql() -> None:
    if os.environ.get("AURORA_DB_ENDPOINT"):
        say(f"DSQL: using AURORA_DB_ENDPOINT={os.environ['AURORA_DB_ENDPOINT']} from the environment")
        return
    host, port = "127.0.0.1", 5432
    prepare_postgres(host, port)
    set_default("AURORA_DB_ENDPOINT", LOCAL_DSQL_HOST)
    set_default("AURORA_DB_HOSTADDR", host)
    set_default("AURORA_DB_PORT", str(port))
    set_default("AURORA_DB_NAME", LOCAL_DATABASE)
    set_default("AURORA_DB_SSLMODE", "disable")
    say(f"DSQL: local PostgreSQL {host}:{port}/{LOCAL_DATABASE} standing in for {LOCAL_DSQL_HOST}")


def main() -> None:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")
    set_default("DJANGO_DEBUG", "true")
    # Fake, local-only credentials: tokens are signed locally and nothing reaches AWS.
    set_default("AWS_ACCESS_KEY_ID", "AKIDVELALOCAL000001")
    set_default("AWS_SECRET_ACCESS_KEY", "vela-local-secret")
    set_default("AWS_REGION", "us-east-1")
    configure_dsql()

    from django.core.management import execute_from_command_line

    address = os.environ.get("VELA_LOCAL_ADDRESS", "127.0.0.1:8000")
    say(f"serving the API on http://{address} (Ctrl-C to stop); try /api/health and /api/internal/dsql-health")
    execute_from_command_line(["manage.py", "runserver", address, "--noreload"])


if __name__ == "__main__":
    main()
