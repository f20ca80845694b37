"""Chat-history reads: our key Queries vs the original's Scans, side by side on one moto table.

The table holds many users' messages. For one user's thread list and one thread's messages we run
- the original's access pattern, made complete: Scan + FilterExpression, following every page;
- ours: Query on the `UserIdIndex` GSI / on the `ThreadId` key, following every page.
Both give the same items; we print the items DynamoDB had to read (what it bills and what bounds
latency on a large table) and the median wall time, with the ratio original / ours.

    .venv/bin/python bench/chat_history_reads.py [--users 200] [--messages 40] [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vela.settings")
os.environ["AWS_ACCESS_KEY_ID"] = "AKIDVELABENCH000001"
os.environ["AWS_SECRET_ACCESS_KEY"] = "vela-bench-secret"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("DDB_ENDPOINT", None)
os.environ["VELA_READ_DOT_ENV"] = "false"

import django

django.setup()

from boto3.dynamodb.conditions import Attr  # noqa: E402
from django.conf import settings  # noqa: E402
from moto import mock_aws  # noqa: E402

from chat_history.repositories import ChatHistoryRepository  # noqa: E402
from vela.aws import dynamodb_client, dynamodb_table, reset_clients  # noqa: E402
from vela.dynamodb_schema import SPECS  # noqa: E402


def seed(users: int, messages: int) -> None:
    table = dynamodb_table("chat_history")
    with table.batch_writer() as batch:
        for u in range(users):
            for m in range(messages):
                batch.put_item(
                    Item={
                        "ThreadId": f"thread-{u}-{m % 4}",
                        "Timestamp": 1_700_000_000_000 + u * 1000 + m,
                        "UserId": f"user-{u}",
                        "message": f"message {m} of user {u} " + "x" * 200,
                        "is_user": m % 2 == 0,
                        "context": {},
                    }
                )


def scan_all(**kwargs: object) -> tuple[list[dict], int]:
    table = dynamodb_table("chat_history")
    items: list[dict] = []
    read = 0
    while True:
        page = table.scan(**kwargs)
        items.extend(page["Items"])
        read += page["ScannedCount"]
        if "LastEvaluatedKey" not in page:
            return items, read
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def timed(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    with mock_aws():
        reset_clients()
        dynamodb_client().create_table(
            **SPECS["chat_history"].create_table_kwargs(settings.DYNAMODB_TABLES["chat_history"])
        )
        seed(args.users, args.messages)
        repo = ChatHistoryRepository()
        user, thread = "user-7", "thread-7-1"

        scanned_user, scanned_user_read = scan_all(FilterExpression=Attr("UserId").eq(user))
        scanned_thread, scanned_thread_read = scan_all(FilterExpression=Attr("ThreadId").eq(thread))
        assert len(scanned_user) == len(repo.user_messages(user).items) == args.messages
        assert len(scanned_thread) == len(repo.thread_messages(thread).items)

        rows = [
            (
                "threads of one user",
                scanned_user_read,
                len(scanned_user),
                timed(lambda: scan_all(FilterExpression=Attr("UserId").eq(user)), args.rounds),
                timed(lambda: repo.user_messages(user), args.rounds),
            ),
            (
                "messages of one thread",
                scanned_thread_read,
                len(scanned_thread),
                timed(lambda: scan_all(FilterExpression=Attr("ThreadId").eq(thread)), args.rounds),
                timed(lambda: repo.thread_messages(thread), args.rounds),
            ),
        ]
    total = args.users * args.messages
    print(f"table: {total} messages of {args.users} users (moto, in process), median of {args.rounds} rounds")
    print(f"{'read':<24}{'items read scan/query':>24}{'ms scan':>10}{'ms query':>10}{'ratio':>8}")
    for name, scan_read, query_read, scan_ms, query_ms in rows:
        print(
            f"{name:<24}{f'{scan_read}/{query_read}':>24}{scan_ms:>10.1f}{query_ms:>10.1f}{scan_ms / query_ms:>7.1f}x"
        )


if __name__ == "__main__":
    main()
