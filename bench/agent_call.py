"""Agent call: CPU per Chatbot.reply (streamed, LangChain tool loop, real provider SDK) beside a floor
measured in the same run: one raw POST of the same request (its JSON encoded each time) through the
same SDK HTTP client, its SSE lines read to the end. The fake model runs in a child process (0 latency) so only this
process's CPU is counted.

    python bench/agent_call.py                       # OpenAI, 300 replies
    python bench/agent_call.py --provider gemini --replies 100
    python bench/agent_call.py --turns 10            # a longer chat: 10 earlier student/AI exchanges
"""
import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "What is the tuition for graduate students?"
ANSWER = "Graduate tuition is $18,500 per year."


class Stream:
    """What the app's ReplyStream offers the agent: deltas, and a reset."""

    def __init__(self):
        self.deltas = 0

    def delta(self, text):
        self.deltas += 1

    def reset(self):
        pass


def fake_model(kind):
    """A fake provider in a child process; returns (process, base URL)."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests/fake_providers.py"), "--kind", kind,
                             "--port", "0", "--latency", "0", "--text", ANSWER],
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def history(turns):
    rows = []
    for i in range(turns):
        rows += [{"role": "human", "message": f"Question {i}: when do applications for the spring term close?"},
                 {"role": "ai", "message": "Applications for the spring term close on 15 November."}]
    return rows + [{"role": "human", "message": QUESTION}]


def cpu_ms(fn, n):
    """CPU milliseconds of each of n calls of fn()."""
    gc.collect()
    out = []
    for _ in range(n):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1000)
    return out


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--provider", choices=["openai", "gemini"], default="openai")
    ap.add_argument("--replies", type=int, default=300)
    ap.add_argument("--turns", type=int, default=2, help="earlier exchanges in the chat")
    args = ap.parse_args()

    proc, url = fake_model(args.provider)
    try:
        from chatbot import Chatbot
        from havana.config import Config

        settings = {"openai": {"OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": url},
                    "gemini": {"GOOGLE_API_KEY": "bench", "GEMINI_BASE_URL": url}}[args.provider]
        bot = Chatbot(Config(DATABASE_URL="sqlite://", SECRET_KEY="bench", AI_MAX_RETRIES=0, **settings))
        rows = history(args.turns)
        stream = Stream()

        def reply():
            assert bot.reply("chat-1", rows, args.provider, None, stream).text == ANSWER

        # The floor: the request the agent sent, encoded and posted through the SDK's own HTTP client.
        body, path, headers = capture(bot, args.provider, reply)
        request = json.loads(body)
        http = sdk_http_client(bot, args.provider)

        def floor():
            with http.stream("POST", url.rstrip("/") + path, json=request, headers=headers) as response:
                for _ in response.iter_lines():
                    pass

        for _ in range(20):  # warm both paths: connections, caches, lazy imports
            reply()
            floor()
        agent, bare = [], []
        for _ in range(max(1, args.replies // 50)):  # interleaved, so drift hits both alike
            agent += cpu_ms(reply, 50)
            bare += cpu_ms(floor, 50)
    finally:
        proc.kill()

    print(f"{args.provider}: {len(agent)} replies, {args.turns} earlier exchanges, request body {len(body)} bytes")
    print(f"{'CPU ms per reply':36}{'p50':>8}{'p95':>8}{'mean':>8}")
    for name, values in (("floor: one raw POST, SSE read", bare), ("Chatbot.reply (streamed)", agent)):
        print(f"{name:36}{percentile(values, 50):>8.2f}{percentile(values, 95):>8.2f}"
              f"{sum(values) / len(values):>8.2f}")
    print(f"agent / floor (p50): {percentile(agent, 50) / percentile(bare, 50):.1f}x")


def capture(bot, provider, reply):
    """(body bytes, path, headers) of the request one reply sends, read off the SDK's HTTP client."""
    http = sdk_http_client(bot, provider)
    seen = []
    hook = lambda request: seen.append(request)  # noqa: E731
    http.event_hooks["request"].append(hook)
    try:
        reply()
    finally:
        http.event_hooks["request"].remove(hook)
    request = seen[-1]
    body = request.read()
    path = request.url.raw_path.decode()
    path = path[path.index("/v1") + 3:] if provider == "openai" else path
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
    return body, path, headers


def sdk_http_client(bot, provider):
    """The HTTP client the provider's SDK sends through."""
    model = bot._bound(bot.providers[provider]).bound
    if provider == "openai":
        return model.root_client._client
    return model.client._api_client._httpx_client


if __name__ == "__main__":
    main()
