"""The fake model for benchmarks: tests/fake_providers.py's OpenAI server with a fixed latency.

The test server keeps every request it saw (tests assert on them); over a benchmark's thousands
of requests that log grows and the model's own garbage collector pauses would land in the reply
times of both the app and the floor. Here the log keeps only the last few requests.

    python bench/fake_model.py --latency 0.25 --text "..."   # prints the base URL, serves until killed
"""
import argparse
import collections
import gc
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fake_providers import FakeOpenAIServer, text  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.25)
    ap.add_argument("--text", default="OK")
    args = ap.parse_args()
    server = FakeOpenAIServer("127.0.0.1", args.port, args.latency)
    server.requests, server.paths, server.headers = (collections.deque(maxlen=20) for _ in range(3))
    server.default = lambda req: text(args.text)
    print(server.start().base_url, flush=True)
    gc.freeze()  # what exists now lives for the whole run: keep it out of every collection
    threading.Event().wait()


if __name__ == "__main__":
    main()
