"""Fake OpenAI chat-completions and Gemini (v1beta REST) servers that the real LangChain clients can call.

Standard library only. Client settings, checked against langchain-openai 1.7.3 / openai 3.54.0 and
langchain-google-genai 4.4.2 / google-genai 2.34.0:

    ChatOpenAI(model="gpt-4o", api_key="test", base_url=srv.base_url,  # ".../v1"
               max_retries=0,    # else the openai SDK retries 408/409/429/5xx/timeouts twice, with backoff
               timeout=2.0)      # seconds per HTTP attempt; raises openai.APITimeoutError
    ChatGoogleGenerativeAI(model="gemini-2.5-pro", google_api_key="test",
               base_url=srv.base_url,  # bare root; the SDK appends "/v1beta/models/{model}:..."
               max_retries=1,    # TOTAL attempts (0 acts as 1 in this SDK; 1 is also right on older ones);
                                 # the default 6 retries 408/429/5xx/timeouts with 1-2-4-8 s backoff
               timeout=2.0)      # seconds, sent as HttpOptions(timeout=ms); raises httpx.ReadTimeout

Gemini: `client_options={"api_endpoint": url}` is an alias of `base_url`; there is no `transport`
option (google-genai always speaks REST through httpx). The key arrives in header `x-goog-api-key`,
bodies are camelCase, streaming is POST `...:streamGenerateContent?alt=sse`.

CLI for benchmarks: `python tests/fake_providers.py --kind openai --port 0 --latency 0.05 --text Hi`
prints the base URL on the first stdout line, then serves until killed.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Action:
    """What the fake model does for one request; build it with the helpers below."""

    kind: str  # "text" | "tools" | "error" | "garbage" | "sleep"
    text: str = ""
    calls: list = field(default_factory=list)  # [(name, args dict or raw str)]
    status: int = 200
    seconds: float = 0.0
    then: Action | None = None  # for sleep(); None means ask server.default


def text(content: str) -> Action:
    return Action("text", text=content)


def tool_call(name: str, args: dict | str | None = None) -> Action:
    """One tool call; a str `args` is sent verbatim (use it for invalid JSON)."""
    return Action("tools", calls=[(name, {} if args is None else args)])


def tool_calls(*actions: Action) -> Action:
    """Several tool calls in one reply (parallel tool calling)."""
    return Action("tools", calls=[c for a in actions for c in a.calls])


def error(status: int, message: str = "fake provider error") -> Action:
    return Action("error", text=message, status=status)


def garbage() -> Action:
    """HTTP 200 whose body is not JSON (nor valid SSE JSON when streaming)."""
    return Action("garbage")


def sleep(seconds: float, then: Action | None = None) -> Action:
    return Action("sleep", seconds=seconds, then=then)


def _parts_text(content: Any) -> str:
    # OpenAI content is a str or [{"type": "text", "text": ...}]; Gemini parts are [{"text": ...}].
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def last_user_text(req: dict) -> str:
    """Text of the last user turn that has text (tool results are skipped), for either protocol."""
    if "messages" in req:
        turns = [_parts_text(m.get("content")) for m in req["messages"] if m.get("role") == "user"]
    else:
        turns = [_parts_text(c.get("parts")) for c in req.get("contents", []) if c.get("role", "user") == "user"]
    return next((t for t in reversed(turns) if t), "")


def system_text(req: dict) -> str:
    """The system prompt the client sent: OpenAI system messages, or Gemini's systemInstruction."""
    if "messages" in req:
        return "\n".join(_parts_text(m.get("content")) for m in req["messages"] if m.get("role") == "system")
    return _parts_text((req.get("systemInstruction") or {}).get("parts"))


def tool_names(req: dict) -> list[str]:
    """Names of the tools the client declared in this request."""
    if "messages" in req:
        return [t["function"]["name"] for t in req.get("tools") or [] if "function" in t]
    return [d["name"] for t in req.get("tools") or [] for d in t.get("functionDeclarations") or []]


def tool_results(req: dict) -> list:
    """Tool results the client sent back: OpenAI tool-message contents, Gemini functionResponse dicts."""
    if "messages" in req:
        return [m.get("content") for m in req["messages"] if m.get("role") == "tool"]
    return [p["functionResponse"] for c in req.get("contents", []) for p in c.get("parts", []) if "functionResponse" in p]


def _pieces(s: str, n: int = 3) -> list[str]:
    # A few pieces, so stream consumers really see several deltas.
    size = max(1, -(-len(s) // n))
    return [s[i:i + size] for i in range(0, len(s), size)] or [""]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # don't join handlers stuck in a long sleep() on stop()
    request_queue_size = 1024  # listen backlog for benchmark bursts

    def handle_error(self, request, client_address):
        pass  # clients that time out hang up mid-answer; that is expected here


class FakeProvider:
    """Shared machinery: threaded HTTP server, request log, scripted action queue."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0):
        self.host, self.port, self.latency = host, port, latency
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self.headers: list[dict] = []
        self.peers: list[tuple] = []  # the client's (host, port) per request: a repeated port is a reused connection
        self.default: Callable[[dict], Action] = lambda req: text("OK")
        self._queue: collections.deque[Action] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._ids = itertools.count(1)
        self._httpd: _HTTPServer | None = None

    def start(self) -> FakeProvider:
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers waiting in latency or sleep()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:  # close kept-alive connections too, or pooled clients would still get answers
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def queue(self, *actions: Action) -> None:
        with self._lock:
            self._queue.extend(actions)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raw = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            req = {"_raw": raw.decode("utf-8", "replace")}
        with self._lock:
            self.requests.append(req)
            self.paths.append(h.path)
            self.headers.append(dict(h.headers))
            self.peers.append(h.client_address)
        route = self._route(h.path, req)
        if route is None:  # before popping, so a stray request does not eat a scripted action
            return self._send(h, 404, self.error_body(404, f"no route for POST {h.path}"))
        model, stream = route
        with self._lock:
            action = self._queue.popleft() if self._queue else None
        try:
            action = action or self.default(req)
            self._stopping.wait(self.latency)
            while action.kind == "sleep":
                self._stopping.wait(action.seconds)
                action = action.then or self.default(req)
        except Exception as exc:  # a broken default() must fail the test visibly, not hang it
            action = error(500, f"fake provider default() raised {exc!r}")
        if action.kind == "error":
            return self._send(h, action.status, self.error_body(action.status, action.text))
        if action.kind == "garbage":
            return self._send(h, 200, b"data: <html>not json</html>\n\n" if stream else b"<html>not json</html>",
                              "text/event-stream" if stream else "application/json")
        usage = (max(1, len(raw) // 4), max(1, len(action.text + json.dumps(action.calls)) // 4))
        if not stream:
            return self._send(h, 200, self.completion(action, model, usage))
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")  # lets the HTTP/1.1 connection be reused afterwards
        h.end_headers()
        for event in self.events(req, action, model, usage):
            data = event if isinstance(event, bytes) else b"data: " + json.dumps(event).encode() + b"\n\n"
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        h.wfile.write(b"0\r\n\r\n")

    def _send(self, h, status: int, body: Any, ctype: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # Protocol hooks: route -> (model, stream) or None for 404; the rest build response bodies.
    def _route(self, path: str, req: dict) -> tuple[str, bool] | None: ...
    def error_body(self, status: int, message: str) -> dict: ...
    def completion(self, action: Action, model: str, usage: tuple[int, int]) -> dict: ...
    def events(self, req: dict, action: Action, model: str, usage: tuple[int, int]) -> list: ...


def _make_handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections, as with the real APIs
        timeout = 60  # drop idle keep-alive connections eventually
        disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms delayed-ACK stalls

        def setup(self):
            super().setup()
            with provider._lock:
                provider._conns.add(self.connection)

        def finish(self):
            with provider._lock:
                provider._conns.discard(self.connection)
            super().finish()

        def do_POST(self):
            try:
                provider._handle(self)
            except OSError:  # client hung up (e.g. its timeout fired) or stop() closed the socket
                self.close_connection = True

        def log_message(self, *args):
            pass

    return Handler


class FakeOpenAIServer(FakeProvider):
    """POST /v1/chat/completions, JSON or SSE (`stream: true`, optional `stream_options.include_usage`)."""

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def _route(self, path, req):
        if path.split("?")[0] != "/v1/chat/completions":
            return None
        return req.get("model") or "gpt-fake", bool(req.get("stream"))

    def error_body(self, status, message):
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": None,
                          "code": "rate_limit_exceeded" if status == 429 else None}}

    def _calls(self, action):
        return [{"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": n, "arguments": a if isinstance(a, str) else json.dumps(a)}}
                for n, a in action.calls]

    def _envelope(self, obj, model):
        return {"id": f"chatcmpl-{next(self._ids)}", "object": obj, "created": int(time.time()),
                "model": model, "system_fingerprint": "fp_fake"}

    @staticmethod
    def _usage(usage):
        return {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}

    def completion(self, action, model, usage):
        calls = self._calls(action)
        message = {"role": "assistant", "content": None if calls else action.text, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        return {**self._envelope("chat.completion", model), "usage": self._usage(usage),
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}]}

    def events(self, req, action, model, usage):
        env = self._envelope("chat.completion.chunk", model)  # one id for the whole stream, like OpenAI

        def chunk(delta, finish=None):
            return {**env, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        out = [chunk({"role": "assistant", "content": ""})]
        calls = self._calls(action)
        if not calls:
            out += [chunk({"content": p}) for p in _pieces(action.text)]
        for i, call in enumerate(calls):
            fn = call["function"]
            out.append(chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                              "function": {"name": fn["name"], "arguments": ""}}]}))
            out += [chunk({"tool_calls": [{"index": i, "function": {"arguments": p}}]})
                    for p in _pieces(fn["arguments"])]
        out.append(chunk({}, "tool_calls" if calls else "stop"))
        if (req.get("stream_options") or {}).get("include_usage"):
            out.append({**env, "choices": [], "usage": self._usage(usage)})
        return out + [b"data: [DONE]\n\n"]


_GEMINI_PATH = re.compile(r"^/v1\w*/models/([^/:?]+):(generateContent|streamGenerateContent)(\?.*)?$")
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


class FakeGeminiServer(FakeProvider):
    """POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse."""

    @property
    def base_url(self) -> str:
        return self.root_url

    def _route(self, path, req):
        m = _GEMINI_PATH.match(path)
        return (m.group(1), m.group(2) == "streamGenerateContent") if m else None

    def error_body(self, status, message):
        return {"error": {"code": status, "message": message, "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}}

    def _response(self, parts, model, usage, finish=True):
        candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            candidate["finishReason"] = "STOP"
        return {"candidates": [candidate], "modelVersion": model, "responseId": f"resp-{next(self._ids)}",
                "usageMetadata": {"promptTokenCount": usage[0], "candidatesTokenCount": usage[1],
                                  "totalTokenCount": sum(usage)}}

    @staticmethod
    def _call_parts(action):
        parts = []
        for name, args in action.calls:
            if isinstance(args, str):
                try:  # Gemini args are a JSON object, not a string: parse it, or send garbage as-is
                    args = json.loads(args)
                except ValueError:
                    pass
            parts.append({"functionCall": {"name": name, "args": args}})
        return parts

    def completion(self, action, model, usage):
        return self._response(self._call_parts(action) or [{"text": action.text}], model, usage)

    def events(self, req, action, model, usage):
        if action.calls:  # Gemini streams whole function calls, never partial args
            return [self._response(self._call_parts(action), model, usage)]
        pieces = _pieces(action.text)
        return [self._response([{"text": p}], model, usage, finish=i == len(pieces) - 1) for i, p in enumerate(pieces)]


def main() -> None:
    ap = argparse.ArgumentParser(description="Serve a fake LLM provider until killed.")
    ap.add_argument("--kind", choices=["openai", "gemini"], default="openai")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--text", default="OK")
    args = ap.parse_args()
    server = (FakeOpenAIServer if args.kind == "openai" else FakeGeminiServer)(args.host, args.port, args.latency)
    server.default = lambda req: text(args.text)
    print(server.start().base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
