"""`make run`: the API on http://127.0.0.1:8000 with embedded defaults and no AWS account.

- DSQL: the `dsql` alias goes through the DSQL stand-in (`dsql_standin`: validates the IAM token our
  backend signs, enforces DSQL's rules, TLS verify-full with a throwaway CA) in front of the local
  PostgreSQL (database `vela_local`); libpq dials 127.0.0.1 (`AURORA_DB_HOSTADDR`) while the token is
  signed for a fake DSQL hostname. Migrations of the relational apps are applied there.
- AWS: an embedded moto server over HTTP (127.0.0.1, free port) answers every AWS API
  (`AWS_ENDPOINT_URL`); the DynamoDB tables are created and demo vocabulary/sentences seeded; a local
  Cognito user pool (moto) signs tokens, with one demo user. Set `VELA_LOCAL_AWS=false` to use the
  AWS of your environment instead.
- TTS: an S3 bucket for the audio cache (`TTS_AUDIO_BUCKET_NAME`) in that moto server.
- Sign-up: new Cognito accounts are confirmed by `POST /api/auth/auto-confirm` (`AUTH_AUTO_CONFIRM_ENABLED`
  defaults to true here, never on a deployed stage).
- Logs: human-readable lines (`VELA_LOG_FORMAT=text`; `json` shows what a deployed stage writes), no
  EMF metric lines (`VELA_METRICS_ENABLED=true` shows them).
- Anything already set in the environment or `.env` wins over these defaults. At the end it says which
  features need a key (LLM, TTS) and how to give one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

LOCAL_DSQL_HOST = "vela0local0cluster0abcdef.dsql.us-east-1.on.aws"
LOCAL_DATABASE = "vela_local"
LOCAL_TTS_BUCKET = "vela-local-tts-audio"


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


def configure_dsql() -> Any:
    """DSQL for the local run: the DSQL stand-in (IAM tokens checked, DSQL rules enforced, TLS
    verify-full with a throwaway CA) in front of the local PostgreSQL; returns the running stand-in."""
    if os.environ.get("AURORA_DB_ENDPOINT"):
        say(f"DSQL: using AURORA_DB_ENDPOINT={os.environ['AURORA_DB_ENDPOINT']} from the environment")
        return None
    host, port = "127.0.0.1", 5432
    if not prepare_postgres(host, port):
        return None
    from dsql_standin import StandIn, StandInConfig, generate_tls_files

    tls = generate_tls_files(ROOT / ".local" / "dsql-tls", hostnames=(LOCAL_DSQL_HOST, "localhost"))
    standin = StandIn(
        StandInConfig(
            credentials={os.environ["AWS_ACCESS_KEY_ID"]: os.environ["AWS_SECRET_ACCESS_KEY"]},
            cluster_hostname=LOCAL_DSQL_HOST,
            region="us-east-1",
            upstream_host=host,
            upstream_port=port,
            upstream_database=LOCAL_DATABASE,
            tls_cert_file=tls.server_cert,
            tls_key_file=tls.server_key,
        )
    )
    standin.start()
    set_default("AURORA_DB_ENDPOINT", LOCAL_DSQL_HOST)
    set_default("AURORA_DB_HOSTADDR", host)
    set_default("AURORA_DB_PORT", str(standin.port))
    set_default("AURORA_DB_SSLMODE", "verify-full")
    set_default("AURORA_DB_SSLROOTCERT", str(tls.ca_cert))
    say(
        f"DSQL: stand-in on {host}:{standin.port} (TLS verify-full, IAM tokens checked) for {LOCAL_DSQL_HOST}, "
        f"backed by PostgreSQL {host}:{port}/{LOCAL_DATABASE}"
    )
    return standin


def migrate_dsql() -> None:
    from django.core.management import call_command
    from django.db import connections

    from vela.routers import DSQL_ALIAS

    # `default` (in-memory SQLite, nothing on it) only records the migrations, so runserver's
    # "unapplied migration(s)" check, which reads `default`, has nothing to warn about.
    call_command("migrate", database="default", interactive=False, verbosity=0)
    if DSQL_ALIAS not in connections.settings:
        return
    say(f"DSQL: applying migrations of the relational apps (migrate --database {DSQL_ALIAS})")
    try:
        call_command("migrate", database=DSQL_ALIAS, interactive=False, verbosity=0)
    except Exception as exc:  # the API still serves; the DSQL probe will say what is wrong
        say(f"DSQL: migrations failed ({exc.__class__.__name__}: {exc})")


def configure_aws() -> Any:
    """Start moto, point every AWS client at it and set up a local Cognito pool; returns the pool."""
    if os.environ.get("VELA_LOCAL_AWS", "true").lower() in {"0", "false", "no"}:
        say("AWS: using the environment's AWS (VELA_LOCAL_AWS=false)")
        return None
    from local_aws import point_aws_at, setup_cognito, start_moto

    port = int(os.environ.get("VELA_LOCAL_MOTO_PORT", "0")) or None
    _server, endpoint = start_moto(port)
    point_aws_at(endpoint)
    say(f"AWS: embedded moto server at {endpoint} (DynamoDB, Cognito, S3, ...: AWS_ENDPOINT_URL)")
    cognito = setup_cognito(endpoint, os.environ["AWS_REGION"])
    for name, value in cognito.env().items():
        set_default(name, value)
    say(f"Cognito: local pool {cognito.pool_id}, client {cognito.client_id}")
    bucket = os.environ.setdefault("TTS_AUDIO_BUCKET_NAME", LOCAL_TTS_BUCKET)
    create_bucket(endpoint, bucket)
    say(f"S3: TTS audio bucket {bucket}")
    return cognito


def create_bucket(endpoint: str, name: str) -> None:
    import boto3

    s3 = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name="us-east-1")
    if name not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=name)


def prepare_tables_and_data() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    say("DynamoDB: creating tables")
    call_command("dynamodb_tables", "create")
    say("DynamoDB: seeding demo vocabulary and sentences")
    call_command("seed_demo_data")
    migrate_dsql()


def seed_demo_srs(cognito: Any) -> None:
    """SRS progress for the demo user (its Cognito sub), so /api/srs/* have something to show."""
    from django.core.management import call_command
    from local_aws import LOCAL_USER, _cognito

    user = _cognito(cognito.endpoint, cognito.region).admin_get_user(UserPoolId=cognito.pool_id, Username=LOCAL_USER)
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    say(f"DynamoDB: seeding SRS progress for the demo user (sub {sub})")
    call_command("seed_srs_progress", user=sub)


def print_token_help(cognito: Any, address: str) -> None:
    from local_aws import LOCAL_PASSWORD, LOCAL_USER

    # The token itself is never printed by us (no JWT in any output); this command prints one on request.
    cognito.tokens()  # fail early if the pool cannot sign in the demo user
    say(f"Cognito demo user {LOCAL_USER} / {LOCAL_PASSWORD}")
    say(
        "ID token (valid 1 h): TOKEN=$(.venv/bin/python -c \"import boto3; print(boto3.client('cognito-idp', "
        f"endpoint_url='{cognito.endpoint}', region_name='{cognito.region}').initiate_auth("
        f"ClientId='{cognito.client_id}', AuthFlow='USER_PASSWORD_AUTH', AuthParameters={{'USERNAME': "
        f"'{LOCAL_USER}', 'PASSWORD': '{LOCAL_PASSWORD}'}})['AuthenticationResult']['IdToken'])\")"
    )
    say(f'then: curl -s -H "Authorization: Bearer $TOKEN" http://{address}/api/profiles')
    say(
        f"sign-up: the web app signs up against Cognito directly (pool {cognito.pool_id}, client "
        f"{cognito.client_id}, endpoint {cognito.endpoint}); POST /api/auth/auto-confirm confirms the account "
        f"(AUTH_AUTO_CONFIRM_ENABLED={os.environ.get('AUTH_AUTO_CONFIRM_ENABLED')})"
    )


def print_key_help() -> None:
    """Which features need a key the local run cannot invent, and how to give one (keys are never printed)."""
    from django.conf import settings

    llm = [name for name in ("GOOGLE_API_KEY", "OPENROUTER_API_KEY") if getattr(settings, name)]
    if llm:
        say(f"LLM (/api/llm-chat, /api/my-dictionaries/analyze): server key set ({', '.join(llm)})")
    else:
        say(
            "LLM (/api/llm-chat, /api/my-dictionaries/analyze) needs a key: put GOOGLE_API_KEY=... (Gemini) or "
            'OPENROUTER_API_KEY=... in .env and restart, or send "apiKey" in the request body'
        )
    say(
        "TTS (/api/tts/generate) needs the signed-in user's provider key: POST /api/tts/settings with the "
        "user's token and its key (stored per user, never returned); audio is cached in the local S3 bucket"
    )


def main() -> None:
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")
    set_default("DJANGO_DEBUG", "true")
    # Fake, local-only credentials: tokens are signed locally and nothing reaches AWS.
    set_default("AWS_ACCESS_KEY_ID", "AKIDVELALOCAL000001")
    set_default("AWS_SECRET_ACCESS_KEY", "vela-local-secret")
    set_default("AWS_REGION", "us-east-1")
    # The original's dev origins (reference §1.3), so the web app's dev server can call the API.
    set_default("CORS_ALLOWED_ORIGINS", "http://localhost:9000,http://127.0.0.1:9000")
    set_default("VELA_LOG_FORMAT", "text")
    # Local only: lets the web app's sign-up finish (POST /api/auth/auto-confirm) against the moto pool.
    set_default("AUTH_AUTO_CONFIRM_ENABLED", "true")
    configure_dsql()
    cognito = configure_aws()
    prepare_tables_and_data()
    if cognito is not None:
        seed_demo_srs(cognito)

    from django.core.management import execute_from_command_line

    address = os.environ.get("VELA_LOCAL_ADDRESS", "127.0.0.1:8000")
    if cognito is not None:
        print_token_help(cognito, address)
    print_key_help()
    say(f"serving the API on http://{address} (Ctrl-C to stop); try /api/health, /api/games/vocabulary, /api/docs")
    execute_from_command_line(["manage.py", "runserver", address, "--noreload"])


if __name__ == "__main__":
    main()
