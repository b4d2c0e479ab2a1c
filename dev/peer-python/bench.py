"""The peer's side of `cargo perf` (run with the peer venv's python).

`bench.py latency NAME STATUS EVENTS [NAME STATUS EVENTS ...]`: for each
path, the handler in process (`app.lambda_handler(event, context)`, with
Logger, Metrics and idempotency as deployed) on the events of EVENTS (a
JSON array from `bench-driver events`): the first 20 warm up, every other
is timed; each answer must have STATUS. Prints one line
`BENCH {"kind": "peer_latency", ...}` per path.

`bench.py size`: what a deployment package (zip or layer) holds beyond
the managed Python runtime: every file pip installed for
aws-lambda-powertools[parser] and its dependencies, less boto3's and
awslambdaric's (both part of the managed runtime) and less bytecode
caches, raw and zipped (deflate, as `sam build` zips). Prints
`BENCH {"kind": "peer_size", ...}`.
"""

import io
import json
import platform
import sys
import time
import zipfile
from importlib.metadata import distribution

WARM_UP = 20


class Context:
    """What the Lambda runtime passes as context."""

    function_name = "update-account-metadata-python"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 128
    log_group_name = "bench"
    log_stream_name = "bench"

    def __init__(self, request_id: str):
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def latency(args: list[str]) -> None:
    import app

    for name, status, path in zip(args[::3], args[1::3], args[2::3]):
        with open(path) as f:
            events = json.load(f)
        took = []
        for i, event in enumerate(events):
            context = Context(f"req-{i}")
            started = time.perf_counter_ns()
            response = app.lambda_handler(event, context)
            elapsed = time.perf_counter_ns() - started
            if response["statusCode"] != int(status):
                sys.exit(f"{name}: got {response['statusCode']} instead of {status}: {response.get('body')}")
            if i >= WARM_UP:
                took.append(elapsed / 1000)
        took.sort()
        quantile = lambda q: took[min(int(len(took) * q), len(took) - 1)]  # noqa: E731
        line = {"kind": "peer_latency", "name": name, "status": int(status), "requests": len(took), "p50_us": quantile(0.5), "p99_us": quantile(0.99)}
        print("BENCH " + json.dumps(line), flush=True)


def closure(root: str, extras: tuple[str, ...] = ()) -> set[str]:
    """The distribution `root` and every one it requires (with `extras`), by normalized name."""
    from pip._vendor.packaging.requirements import Requirement

    seen, todo = set(), [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for spec in distribution(name).requires or []:
            requirement = Requirement(spec)
            environments = [{"extra": e} for e in wanted] or [{"extra": ""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
                todo.append((requirement.name, tuple(requirement.extras)))
    return seen


def size() -> None:
    runtime = closure("boto3") | closure("awslambdaric")
    package = sorted(closure("aws-lambda-powertools", ("parser",)) - runtime)
    raw, files, buffer = 0, 0, io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in package:
            dist = distribution(name)
            for file in dist.files or []:
                path = str(file)
                if path.startswith("..") or "__pycache__" in path or path.endswith(".pyc"):
                    continue
                located = dist.locate_file(file)
                raw += located.stat().st_size
                files += 1
                z.write(located, path)
    line = {"kind": "peer_size", "python": platform.python_version(), "distributions": package, "not_counted": sorted(runtime), "files": files, "bytes": raw, "zipped": len(buffer.getvalue())}
    print("BENCH " + json.dumps(line), flush=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "latency":
        latency(sys.argv[2:])
    elif command == "size":
        size()
    else:
        sys.exit(__doc__)
