"""Fake OpenAI chat-completions and Gemini (v1beta REST) servers that the real LangChain clients can call.

Standard library only. Client settings (checked against langchain-openai 1.7.3 / openai 3.54.0 and
langchain-google-genai 4.4.2 / google-genai 2.34.0):

    ChatOpenAI(model="gpt-4o", api_key="test", base_url=srv.base_url,  # ".../v1"
               max_retries=0,    # else the openai SDK retries 408/409/429/5xx/timeouts twice, with backoff
               timeout=2.0)      # seconds per HTTP attempt (alias request_timeout)
    ChatGoogleGenerativeAI(model="gemini-2.5-pro", google_api_key="test",
               base_url=srv.base_url,  # no path; the SDK adds "/v1beta/models/{model}:..."
               max_retries=1,    # TOTAL attempts (1 = no retry); default 6 retries 408/429/5xx/timeouts, 1-2-4-8 s backoff
               timeout=2.0)      # seconds; sent as HttpOptions(timeout=ms) on every request

Gemini details: `client_options={"api_endpoint": url}` is an alias of `base_url`; there is no
`transport` setting (google-genai always speaks REST over httpx). The key arrives as header
`x-goog-api-key`; streaming uses POST `...:streamGenerateContent?alt=sse`. Bodies are camelCase.
Gemini timeouts raise httpx.ReadTimeout (not wrapped); OpenAI timeouts raise openai.APITimeoutError.

CLI for benchmarks: `python tests/fake_providers.py --kind openai --port 0 --latency 0.05 --text Hi`
prints the base URL on the first stdout line, then serves until killed.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
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
    then: "Action | None" = None  # for sleep(); None means ask server.default


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
    # OpenAI content is a str or a list of {"type": "text", "text": ...}; Gemini parts are {"text": ...}.
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def last_user_text(req: dict) -> str:
    """Text of the last user turn that has text (skips tool results), for either protocol."""
    if "messages" in req:
        turns = [_parts_text(m.get("content")) for m in req["messages"] if m.get("role") == "user"]
    else:
        turns = [_parts_text(c.get("parts")) for c in req.get("contents", []) if c.get("role", "user") == "user"]
    return next((t for t in reversed(turns) if t), "")


def tool_names(req: dict) -> list[str]:
    """Names of the tools the client declared in this request."""
    if "messages" in req:
        return [t["function"]["name"] for t in req.get("tools") or [] if "function" in t]
    return [d["name"] for t in req.get("tools") or [] for d in t.get("functionDeclarations") or []]


def tool_results(req: dict) -> list:
    """Tool results sent back by the client: OpenAI tool-message contents, Gemini functionResponse dicts."""
    if "messages" in req:
        return [m.get("content") for m in req["messages"] if m.get("role") == "tool"]
    return [p["functionResponse"] for c in req.get("contents", []) for p in c.get("parts", []) if "functionResponse" in p]


def _chunks(s: str, n: int = 3) -> list[str]:
    # Split into a few pieces so stream consumers really see several deltas.
    size = max(1, -(-len(s) // n))
    return [s[i:i + size] for i in range(0, len(s), size)] or [""]


def _tokens(s: str) -> int:
    return max(1, len(s) // 4)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # don't join handlers stuck in a long sleep() on stop()
    request_queue_size = 1024  # listen backlog for benchmark bursts

    def handle_error(self, request, client_address):
        pass  # clients that time out close the socket mid-answer; that is expected here


class FakeProvider:
    """Shared machinery: threading HTTP server, request log, scripted action queue."""

    json_type = "application/json"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, latency: float = 0.0):
        self.host, self.port, self.latency = host, port, latency
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self.headers: list[dict] = []
        self.default: Callable[[dict], Action] = lambda req: text("OK")
        self._queue: collections.deque[Action] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd: _Server | None = None

    # --- lifecycle -------------------------------------------------------
    def start(self) -> "FakeProvider":
        self._httpd = _Server((self.host, self.port), _make_handler(self))
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers waiting in latency/sleep()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def queue(self, *actions: Action) -> None:
        with self._lock:
            self._queue.extend(actions)

    # --- per request -----------------------------------------------------
    def _next_action(self, req: dict) -> Action:
        with self._lock:
            action = self._queue.popleft() if self._queue else None
        return action or self.default(req)

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
        route = self._route(h.path)
        if route is None:
            return self._send(h, 404, self.error_body(404, f"no route for POST {h.path}"))
        model, stream = route
        model = model or req.get("model") or "fake"
        stream = bool(req.get("stream")) if stream is None else stream  # OpenAI puts the flag in the body
        try:
            action = self._next_action(req)
            if self.latency:
                self._stopping.wait(self.latency)
            while action.kind == "sleep":
                self._stopping.wait(action.seconds)
                action = action.then or self.default(req)
        except Exception as exc:  # a broken default() should fail the test loudly, not hang it
            action = error(500, f"fake provider default() raised {exc!r}")
        if action.kind == "error":
            return self._send(h, action.status, self.error_body(action.status, action.text))
        if action.kind == "garbage":
            body = b"data: <html>not json</html>\n\n" if stream else b"<html>not json</html>"
            return self._send(h, 200, body, "text/event-stream" if stream else self.json_type)
        if not stream:
            return self._send(h, 200, self.completion(req, action, model))
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")  # keeps HTTP/1.1 connections reusable
        h.end_headers()
        for event in self.events(req, action, model):
            data = event if isinstance(event, bytes) else b"data: " + json.dumps(event).encode() + b"\n\n"
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()
        h.wfile.write(b"0\r\n\r\n")

    def _send(self, h, status: int, body: Any, ctype: str | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        h.send_response(status)
        h.send_header("Content-Type", ctype or self.json_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _usage_counts(self, req: dict, action: Action) -> tuple[int, int]:
        out = action.text + "".join(n + (a if isinstance(a, str) else json.dumps(a)) for n, a in action.calls)
        return _tokens(json.dumps(req)), _tokens(out)

    # Protocol-specific hooks.
    def _route(self, path: str) -> tuple[str | None, bool] | None: ...
    def error_body(self, status: int, message: str) -> dict: ...
    def completion(self, req: dict, action: Action, model: str) -> dict: ...
    def events(self, req: dict, action: Action, model: str) -> list: ...


def _make_handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections, as with real APIs
        timeout = 60  # drop idle keep-alive connections eventually
        disable_nagle_algorithm = True  # headers and body are separate writes: avoid the 40 ms delayed-ACK stall

        def do_POST(self):
            try:
                provider._handle(self)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def log_message(self, *args):
            pass

    return Handler


class FakeOpenAIServer(FakeProvider):
    """POST /v1/chat/completions, JSON or SSE (`stream: true`, optional `stream_options.include_usage`)."""

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    def _route(self, path):
        return None if path.split("?")[0] != "/v1/chat/completions" else (None, None)

    def error_body(self, status, message):
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": None,
                          "code": "rate_limit_exceeded" if status == 429 else None}}

    def _calls(self, action):
        return [{"id": f"call_{next(self._ids)}", "type": "function",
                 "function": {"name": n, "arguments": a if isinstance(a, str) else json.dumps(a)}}
                for n, a in action.calls]

    def _envelope(self, obj, model):
        return {"id": f"chatcmpl-{next(self._ids)}", "object": obj, "created": int(time.time()), "model": model,
                "system_fingerprint": "fp_fake"}

    def _usage(self, req, action):
        p, c = self._usage_counts(req, action)
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    def completion(self, req, action, model):
        calls = self._calls(action)
        message = {"role": "assistant", "content": None if calls else action.text, "refusal": None}
        if calls:
            message["tool_calls"] = calls
        return {**self._envelope("chat.completion", model), "usage": self._usage(req, action),
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}]}

    def events(self, req, action, model):
        env = self._envelope("chat.completion.chunk", model)  # one id for the whole stream, like OpenAI
        chunk = lambda delta, finish=None: {**env, "choices": [  # noqa: E731
            {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}
        out = [chunk({"role": "assistant", "content": ""})]
        calls = self._calls(action)
        if not calls:
            out += [chunk({"content": piece}) for piece in _chunks(action.text)]
        for i, call in enumerate(calls):
            fn = call["function"]
            out.append(chunk({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
                                              "function": {"name": fn["name"], "arguments": ""}}]}))
            out += [chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]})
                    for piece in _chunks(fn["arguments"])]
        out.append(chunk({}, "tool_calls" if calls else "stop"))
        if (req.get("stream_options") or {}).get("include_usage"):
            out.append({**env, "choices": [], "usage": self._usage(req, action)})
        return out + [b"data: [DONE]\n\n"]


_GEMINI_PATH = re.compile(r"^/v1\w*/models/([^/:]+):(generateContent|streamGenerateContent)(\?.*)?$")
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


class FakeGeminiServer(FakeProvider):
    """POST /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse."""

    @property
    def base_url(self) -> str:
        return self.root_url

    def _route(self, path):
        m = _GEMINI_PATH.match(path)
        return (m.group(1), m.group(2) == "streamGenerateContent") if m else None

    def error_body(self, status, message):
        return {"error": {"code": status, "message": message, "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}}

    def _response(self, parts, model, usage, finish=True):
        cand = {"content": {"role": "model", "parts": parts}, "index": 0}
        if finish:
            cand["finishReason"] = "STOP"
        out = {"candidates": [cand], "modelVersion": model, "responseId": f"resp-{next(self._ids)}"}
        p, c = usage
        out["usageMetadata"] = {"promptTokenCount": p, "candidatesTokenCount": c, "totalTokenCount": p + c}
        return out

    def _call_parts(self, action):
        parts = []
        for name, args in action.calls:
            if isinstance(args, str):
                try:  # Gemini has no "arguments string": valid JSON becomes a Struct, garbage is sent raw
                    args = json.loads(args)
                except ValueError:
                    pass
            parts.append({"functionCall": {"name": name, "args": args}})
        return parts

    def completion(self, req, action, model):
        parts = self._call_parts(action) or [{"text": action.text}]
        return self._response(parts, model, self._usage_counts(req, action))

    def events(self, req, action, model):
        usage = self._usage_counts(req, action)
        if action.calls:  # Gemini sends whole function calls, never partial args
            return [self._response(self._call_parts(action), model, usage)]
        pieces = _chunks(action.text)
        return [self._response([{"text": p}], model, usage, finish=i == len(pieces) - 1)
                for i, p in enumerate(pieces)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=["openai", "gemini"], default="openai")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--text", default="OK")
    args = ap.parse_args()
    cls = FakeOpenAIServer if args.kind == "openai" else FakeGeminiServer
    server = cls(args.host, args.port, args.latency)
    server.default = lambda req: text(args.text)
    server.start()
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
