"""Command line: ``python -m dsql_standin --help``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

import psycopg

from .config import StandInConfig, region_from_hostname
from .server import StandIn
from .tls import generate_tls_files


def _host_port(value: str, default_port: int) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        return value, default_port
    return host or "127.0.0.1", int(port)


def _add_upstream_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--upstream", default="127.0.0.1:5432", help="HOST:PORT of the real PostgreSQL (default %(default)s)"
    )
    p.add_argument("--upstream-user", default="postgres", help="upstream role (default %(default)s)")
    p.add_argument(
        "--upstream-password",
        default=os.environ.get("PGPASSWORD"),
        help="upstream password (default: $PGPASSWORD, none = trust auth)",
    )
    p.add_argument(
        "--upstream-database",
        default="vela_dsql_standin",
        help="upstream database serving every client database name, created if missing (default %(default)s)",
    )


def _add_token_arguments(p: argparse.ArgumentParser) -> None:
    """What a client's IAM token must be signed for, and by whom, to be accepted."""
    p.add_argument(
        "--hostname",
        default=os.environ.get("AURORA_DB_ENDPOINT") or "standin.dsql.us-east-1.on.aws",
        help="cluster hostname tokens must be signed for (default: $AURORA_DB_ENDPOINT or %(default)s)",
    )
    p.add_argument(
        "--region",
        default=None,
        help="region tokens must be signed for (default: from --hostname, else $AWS_REGION, else us-east-1)",
    )
    p.add_argument(
        "--access-key-id",
        default=os.environ.get("AWS_ACCESS_KEY_ID"),
        help="accepted access key id (default: $AWS_ACCESS_KEY_ID)",
    )
    p.add_argument(
        "--secret-access-key",
        default=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        help="its secret key (default: $AWS_SECRET_ACCESS_KEY)",
    )
    p.add_argument(
        "--role",
        action="append",
        dest="roles",
        default=None,
        help="allowed non-admin database role (repeatable; default: any role)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m dsql_standin",
        description="Local Aurora DSQL stand-in "
        "(PostgreSQL wire-protocol proxy that checks DSQL IAM tokens and DSQL rules).",
    )
    p.add_argument(
        "--listen", default="127.0.0.1:15432", help="HOST:PORT to listen on; port 0 = ephemeral (default %(default)s)"
    )
    _add_upstream_arguments(p)
    _add_token_arguments(p)
    p.add_argument(
        "--max-age", type=float, default=3600.0, help="maximum connection age in seconds (default %(default)s)"
    )
    p.add_argument("--row-limit", type=int, default=3000, help="rows a transaction may modify (default %(default)s)")
    p.add_argument(
        "--tls",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="offer TLS with a generated throwaway CA (default: off)",
    )
    p.add_argument("--tls-dir", default=None, help="where to write ca.pem/server.pem/server.key (default: a temp dir)")
    p.add_argument("--log-level", default="INFO")
    return p


def _config_from_args(args: argparse.Namespace) -> tuple[StandInConfig, Path | None]:
    """The stand-in's configuration, and the CA file clients must trust (None without --tls)."""
    region = (
        args.region
        or region_from_hostname(args.hostname)
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )
    listen_host, listen_port = _host_port(args.listen, 15432)
    up_host, up_port = _host_port(args.upstream, 5432)
    cert = key = ca = None
    if args.tls:
        tls_dir = Path(args.tls_dir or tempfile.mkdtemp(prefix="dsql-standin-"))
        suffix = args.hostname.split(".", 1)[1] if "." in args.hostname else args.hostname
        files = generate_tls_files(tls_dir, hostnames=[args.hostname, f"*.{suffix}", "localhost"])
        cert, key, ca = files.server_cert, files.server_key, files.ca_cert
    config = StandInConfig(
        credentials={args.access_key_id: args.secret_access_key},
        cluster_hostname=args.hostname,
        region=region,
        listen_host=listen_host,
        listen_port=listen_port,
        upstream_host=up_host,
        upstream_port=up_port,
        upstream_user=args.upstream_user,
        upstream_password=args.upstream_password,
        upstream_database=args.upstream_database,
        allowed_roles=frozenset(args.roles) if args.roles else None,
        max_connection_age=args.max_age,
        row_limit=args.row_limit,
        tls_cert_file=cert,
        tls_key_file=key,
    )
    return config, ca


def _print_how_to_connect(config: StandInConfig, port: int, ca: Path | None) -> None:
    print(
        f"DSQL stand-in listening on {config.listen_host}:{port} as {config.cluster_hostname} ({config.region}); "
        f"upstream {config.upstream_host}:{config.upstream_port}/{config.upstream_database}",
        flush=True,
    )
    sslmode = f"verify-full sslrootcert={ca}" if ca else "disable"
    print(
        f"connect with: host={config.cluster_hostname} hostaddr={config.listen_host} port={port} dbname=postgres "
        f"user=admin sslmode={sslmode} password=<token>",
        flush=True,
    )
    print(
        f"service env: AURORA_DB_ENDPOINT={config.cluster_hostname} AURORA_DB_PORT={port} "
        f"AURORA_DB_HOSTADDR={config.listen_host} AURORA_DB_SSLMODE={'require' if ca else 'disable'} "
        f"AWS_REGION={config.region}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.access_key_id or not args.secret_access_key:
        print(
            "error: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or pass --access-key-id/--secret-access-key",
            file=sys.stderr,
        )
        return 2
    config, ca = _config_from_args(args)
    standin = StandIn(config)
    try:
        port = standin.start()
    except (OSError, psycopg.Error) as exc:
        print(f"error: cannot start the stand-in: {exc}", file=sys.stderr)
        return 1
    _print_how_to_connect(config, port, ca)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
