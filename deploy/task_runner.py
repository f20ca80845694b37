"""Run Lambda events against an unzipped package, the way the python3.12 runtime does.

Standalone on purpose (no project imports): `python3.12 -S deploy/task_runner.py <task_root> <events.json>`
puts the task root first on sys.path, imports `handler` from it and prints one JSON document with the
responses, timings (import, first invocation, warm latencies) and the modules the process imported
up to the first response.
"""

from __future__ import annotations

import json
import os
import sys
import time

started = time.perf_counter()


class Context:
    function_name = "vela-api"
    aws_request_id = "runner"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:vela-api"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def main() -> None:
    task_root, events_file = sys.argv[1], sys.argv[2]
    warm = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(events_file) as fh:
        events = json.load(fh)
    os.chdir(task_root)
    sys.path.insert(0, task_root)
    import logging

    t0 = time.perf_counter()
    import handler  # type: ignore[import-not-found]  # Zappa's handler.py: only in the unzipped package

    imported = time.perf_counter()
    responses = [handler.lambda_handler(events[0], Context())]
    first = time.perf_counter()
    modules = sorted(sys.modules)
    logging.disable(logging.CRITICAL)  # warm timings without log I/O
    responses += [handler.lambda_handler(event, Context()) for event in events[1:]]
    latencies = []
    for _ in range(warm):
        t = time.perf_counter()
        handler.lambda_handler(events[0], Context())
        latencies.append(time.perf_counter() - t)
    print(
        json.dumps(
            {
                "interpreter_to_runner": t0 - started,
                "import_handler": imported - t0,
                "first_invoke": first - imported,
                "cold_total": first - started,
                "warm": latencies,
                "no_site": "site" not in sys.modules,
                "modules": modules,
                "responses": responses,
            },
            default=str,
        )
    )


main()
