"""What every benchmark shares: server processes, the fake model, MariaDB, resource use, stats, clients.

The machine has 2 cores shared by the server, the load generator and the fake model, so absolute
timings drift from run to run. Every script therefore measures the app and a floor (bench/floors/)
in the same run, with these same helpers, and reports the ratio. Figures are printed as one
`FIGURE <name> key=value ...` line each (and, with --json, appended to a JSON file for run_all.py);
correctness checks as `CHECK <name> ok=True|False ...`.
"""
import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import aiohttp
import psutil
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
LOG_DIR = Path(os.environ.get("BENCH_LOG_DIR", "/tmp/havana-bench"))
MYSQL_SERVER_URL = os.environ.get("BENCH_MYSQL_URL", "mysql+mysqlconnector://root@127.0.0.1:3306")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PROFILE_DIR = os.environ.get("BENCH_PROFILE")  # set: every app process is sampled by py-spy into this folder
REPLY_TIMEOUT = 120.0  # seconds a student waits for one reply before it counts as lost

# Rate limits out of the way: every simulated student comes from 127.0.0.1, and two simulated
# advisors relay hundreds of messages a second (the per-connection budget is set for people).
LOAD_ENV = {
    "RATE_MESSAGES_PER_CHAT": "1000000/minute",
    "RATE_MESSAGES_PER_ADDRESS": "1000000/minute",
    "RATE_CHATS_PER_ADDRESS": "1000000/minute",
    "MAX_CHATS_PER_CONNECTION": "1000",
    "MAX_CONNECTIONS_PER_ADDRESS": "0",
    "SOCKET_EVENTS_PER_SECOND": "1000000",
    "SOCKET_EVENT_BURST": "1000000",
}


# -- command line and output ---------------------------------------------------------------

def parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tiny", action="store_true", help="smoke size: seconds, for the test suite")
    ap.add_argument("--json", help="append figures to this JSON file (used by run_all.py)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--latency", type=float, default=0.25, help="the fake model's fixed latency, seconds")
    return ap


_FIGURES = []


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"
    return str(value)


def figure(name, **fields):
    """Print one figure line and remember it for --json."""
    print(f"FIGURE {name} " + " ".join(f"{k}={_fmt(v)}" for k, v in fields.items()), flush=True)
    _FIGURES.append({"figure": name, **fields})


def check(name, ok, **fields):
    """Print one correctness check; the scripts exit non-zero when any fails."""
    print(f"CHECK {name} ok={bool(ok)} " + " ".join(f"{k}={_fmt(v)}" for k, v in fields.items()), flush=True)
    _FIGURES.append({"check": name, "ok": bool(ok), **fields})
    return bool(ok)


def note(text):
    print(f"# {text}", flush=True)


def save_json(path):
    if not path:
        return
    existing = json.loads(Path(path).read_text()) if Path(path).exists() else []
    Path(path).write_text(json.dumps(existing + _FIGURES, indent=1, default=str))


def exit_code():
    return 0 if all(f.get("ok", True) for f in _FIGURES if "check" in f) else 1


def summary(seconds, minus=0.0):
    """n, p50/p90/p99/max in ms of a list of durations (seconds), each less `minus` seconds."""
    values = sorted(v - minus for v in seconds)
    if not values:
        return {"n": 0}
    pick = lambda q: values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]  # nearest rank
    return {"n": len(values), "p50_ms": pick(0.5) * 1e3, "p90_ms": pick(0.9) * 1e3,
            "p99_ms": pick(0.99) * 1e3, "max_ms": values[-1] * 1e3}


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return {"cores": os.cpu_count(), "cpu": model, "mem_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": sys.version.split()[0]}


def raise_nofile():
    """Each socket is a file: lift the soft limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# -- processes -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A subprocess with its log file under LOG_DIR; stop() terminates it (then kills)."""

    def __init__(self, name, argv, env=None, port=None):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}" if port else None
        self.log_path = LOG_DIR / f"{name}-{os.getpid()}-{uuid.uuid4().hex[:6]}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env or os.environ.copy(), stdout=self._log,
                                        stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        self.profiler = None

    def profile(self, folder):
        """Sample this process with py-spy until stop(): <folder>/<name>-<pid>.txt (collapsed stacks)
        and .svg (flame graph), for finding what dominates the server's CPU."""
        Path(folder).mkdir(parents=True, exist_ok=True)
        out = Path(folder) / f"{self.name}-{self.pid}"
        spy = [str(Path(PY).parent / "py-spy"), "record", "--pid", str(self.pid), "--rate", "100", "--nonblocking"]
        if os.environ.get("BENCH_PROFILE_IDLE"):
            spy.append("--idle")  # off-CPU samples too: where the process waits
        self.profiler = [subprocess.Popen(spy + ["--format", fmt, "-o", f"{out}.{ext}"], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
                         for fmt, ext in (("raw", "txt"), ("flamegraph", "svg"))]

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, path=None, timeout=60):
        """Until the port accepts connections (and `path` answers 200), or raise with the log's tail."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")
            try:
                if path is None:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return self
                if requests.get(self.url + path, timeout=2).ok:
                    return self
            except (OSError, requests.RequestException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n{self.output()[-3000:]}")

    def stop(self):
        for spy in self.profiler or ():
            spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
            spy.wait(60)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


class FakeModel:
    """bench/fake_model.py (the tests' OpenAI-protocol server) in its own process: answers `text`
    after a fixed `latency` s. Its CPU is not the server's, but it runs on the same 2 cores."""

    def __init__(self, latency, text="Thanks for your question. An advisor can tell you more."):
        self.latency = latency
        self.process = subprocess.Popen([PY, str(BENCH / "fake_model.py"), "--latency", str(latency), "--text", text],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.pid = self.process.pid
        self.base_url = self.process.stdout.readline().strip()  # ".../v1"
        if not self.base_url.startswith("http"):
            raise RuntimeError("the fake model did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@contextlib.contextmanager
def mariadb_database():
    """A fresh MariaDB database for one server run, dropped afterwards."""
    from sqlalchemy import create_engine, text
    name = f"havana_bench_{time.strftime('%Y%m%d%H%M%S')}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(MYSQL_SERVER_URL, connect_args={"use_pure": True, "connection_timeout": 5})
    with engine.begin() as conn:
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    try:
        yield f"{MYSQL_SERVER_URL}/{name}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        engine.dispose()


def app_env(port, database_url, model_url=None, redis_url=None, channel=None, **extra):
    """The environment of `python app.py` under load: MariaDB, the fake model, raised rate limits."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GOOGLE_API_KEY", "REDIS_URL",
                        "SOCKETIO_MESSAGE_QUEUE", "SOCKETIO_CHANNEL")}
    env.update(LOAD_ENV)
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "HAVANA_ENV": "development", "SECRET_KEY": "bench-secret",
                "PYTHONUNBUFFERED": "1", "DATABASE_URL": database_url, "AI_MAX_RETRIES": "0"})
    if model_url:
        env.update(OPENAI_API_KEY="bench", OPENAI_BASE_URL=model_url)
    if redis_url:
        env.update(REDIS_URL=redis_url, SOCKETIO_CHANNEL=channel or f"havana-bench-{uuid.uuid4().hex[:8]}")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_app(database_url, model_url=None, redis_url=None, channel=None, name="app", **extra):
    port = free_port()
    proc = Proc(name, [PY, str(ROOT / "app.py")], app_env(port, database_url, model_url, redis_url, channel, **extra),
                port)
    proc.wait_ready("/healthz", timeout=120)
    if PROFILE_DIR:
        proc.profile(PROFILE_DIR)
    return proc


def start_floor(kind, model_url=None, database_url=None):
    """bench/floors/<kind>.py on a free port; with `database_url`, on that database, once the app's
    migrations (run_migrations.py, as `python app.py` runs them at start) have given it the schema."""
    port = free_port()
    argv = [PY, str(BENCH / "floors" / f"{kind}.py"), "--port", str(port)]
    if model_url:
        argv += ["--model", model_url]
    if database_url:
        subprocess.run([PY, str(ROOT / "run_migrations.py")], cwd=ROOT, env=app_env(port, database_url), check=True,
                       stdout=subprocess.DEVNULL)
        argv += ["--database-url", database_url]
    return Proc(kind, argv, port=port).wait_ready()


def admin_cookie(app_proc):
    """Sign in as the first admin (password from the server's log) through the real form."""
    import re
    deadline = time.time() + 10
    while not (match := re.search(r"as 'admin' with password: (\S+)", app_proc.output())) and time.time() < deadline:
        time.sleep(0.1)
    session = requests.Session()
    page = session.get(app_proc.url + "/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = session.post(app_proc.url + "/login", data={"csrf_token": token, "username": "admin",
                                                          "password": match[1]}, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# -- resource use ----------------------------------------------------------------------------

class Usage:
    """CPU seconds and memory (RSS, peak) of some processes over a phase, read from /proc by psutil."""

    def __init__(self, *pids):
        self.procs = [psutil.Process(p) for p in pids]
        self.peak = 0
        self._stop = threading.Event()

    def cpu(self):
        return sum(sum(p.cpu_times()[:2]) for p in self.procs)

    def rss(self):
        return sum(p.memory_info().rss for p in self.procs)

    def hwm(self):
        """The kernel's peak RSS (VmHWM) summed over the processes."""
        total = 0
        for p in self.procs:
            for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        return total

    @staticmethod
    def machine_busy():
        """CPU seconds the whole machine spent busy (every process, ours and anyone else's)."""
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    def __enter__(self):
        self.cpu0, self.t0, self.busy0 = self.cpu(), time.monotonic(), self.machine_busy()
        self.peak = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.2):
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu_s = self.cpu() - self.cpu0
        self.wall_s = time.monotonic() - self.t0
        self.machine_cores_busy = (self.machine_busy() - self.busy0) / self.wall_s
        self.rss_mb = self.rss() / 2**20
        self.peak_mb = max(self.peak, self.hwm()) / 2**20

    def fields(self):
        """cpu_util and machine_cores_busy are in cores (2 = the whole machine)."""
        return {"cpu_s": self.cpu_s, "cpu_util": self.cpu_s / self.wall_s, "peak_rss_mb": self.peak_mb,
                "machine_cores_busy": self.machine_cores_busy}


def mariadb_pids():
    """The local MariaDB server's process, if this machine runs it (its CPU is part of the cost)."""
    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] in ("mariadbd", "mysqld")]


def redis_cpu_seconds(url=REDIS_URL):
    import redis
    info = redis.Redis.from_url(url).info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


# -- the load generator's clients -------------------------------------------------------------

_HTTP = None


def http_session():
    """One aiohttp session (unlimited connector) shared by every socket of the load generator.

    Its cookie jar keeps nothing: python-engineio moves a `Cookie` header into the session's jar,
    so a shared jar would hand one advisor's sign-in to every later socket on 127.0.0.1 (cookies
    ignore the port) and students would join the advisors' room. Advisors get a session each.
    """
    global _HTTP
    if _HTTP is None:
        _HTTP = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar())
    return _HTTP


async def close_http_session():
    global _HTTP
    if _HTTP is not None:
        await _HTTP.close()
        _HTTP = None


class Client:
    """One Socket.IO connection (python-socketio asyncio client) with futures for awaited events.

    `on_message(client, payload, t)` sees every `new_message`; `dropped` is set if the server
    closes the connection before we do.
    """

    def __init__(self, url, headers=None, on_message=None):
        self.url, self.headers = url, dict(headers or {})  # engineio pops the Cookie header from it
        # A signed-in advisor's cookie goes into its own jar (see http_session()).
        self._own_http = aiohttp.ClientSession() if "Cookie" in self.headers else None
        self.sio = socketio.AsyncClient(reconnection=False, http_session=self._own_http or http_session(),
                                        request_timeout=30)
        self.chat_id = None
        self.dropped = False
        self._closing = False
        self.reply = None  # a Future the next AI reply resolves
        self.events = []  # (event, payload) of booking/error events, for checks
        self.on_message = on_message
        self.sio.on("new_message", self._message)
        self.sio.on("booking_confirmed", lambda data: self.events.append(("booking_confirmed", data)))
        self.sio.on("booking_held", lambda data: self.events.append(("booking_held", data)))
        self.sio.on("error", self._error)
        self.sio.on("disconnect", self._disconnect)
        self.sio.on("*", self._other)
        self.received = 0  # events of any kind, to see the fan-out

    def _other(self, event, data=None):
        self.received += 1

    async def connect(self):
        await self.sio.connect(self.url, headers=self.headers, transports=["websocket"], wait_timeout=30)
        return self

    def _message(self, data):
        now = time.monotonic()
        self.received += 1
        if self.on_message:
            self.on_message(self, data, now)
        if data.get("role") == "ai" and data.get("chat_id") == self.chat_id and self.reply and not self.reply.done():
            self.reply.set_result((now, data))

    def _error(self, data):
        self.events.append(("error", data))
        if (data or {}).get("event") == "student_message" and self.reply and not self.reply.done():
            self.reply.set_result((time.monotonic(), {"error": data}))  # this message will get no reply

    def _disconnect(self, *reason):
        if not self._closing:
            self.dropped = True

    async def start_chat(self):
        ack = await self.sio.call("student_connect", {}, timeout=60)
        if not ack.get("ok"):
            raise RuntimeError(f"student_connect failed: {ack}")
        self.chat_id = ack["chat"]["id"]
        return self.chat_id

    async def ask(self, text, timeout=None):
        """Send a student message; seconds until the AI's reply to it arrives (None if it never did)."""
        self.reply = asyncio.get_running_loop().create_future()
        t0 = time.monotonic()
        await self.sio.emit("student_message", {"chat_id": self.chat_id, "message": text,
                                                "client_id": uuid.uuid4().hex[:16]})
        try:
            t1, data = await asyncio.wait_for(self.reply, timeout or REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            return None, None
        if "error" in data:
            return None, data
        return t1 - t0, data

    async def close(self):
        self._closing = True
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        if self._own_http:
            await self._own_http.close()


async def bounded(coros, limit=100):
    """Run coroutines at most `limit` at a time; results in order."""
    gate = asyncio.Semaphore(limit)

    async def run(coro):
        async with gate:
            return await coro

    return await asyncio.gather(*(run(c) for c in coros))


async def connect_students(url, n, start_chat=True, limit=100):
    clients = [Client(url) for _ in range(n)]
    await bounded([c.connect() for c in clients], limit)
    if start_chat:
        await bounded([c.start_chat() for c in clients], limit)
    settle_heap()
    return clients


def settle_heap():
    """Long-lived objects (clients, sockets) out of the garbage collector's way: a full collection
    over thousands of clients would pause the load generator and show up as reply time."""
    gc.collect()
    gc.freeze()


async def warm_up(url, text="Hello, warming up", replies=3):
    """A few untimed replies on a throwaway chat: the first ones build clients, caches and pools."""
    warm = await connect_students(url, 1)
    for _ in range(replies):
        await warm[0].ask(text)
    await close_all(warm)


async def close_all(clients, limit=200):
    await bounded([c.close() for c in clients], limit)


def think(rng, mean):
    """Seconds a student thinks before the next message: exponential, so arrivals are independent."""
    return rng.expovariate(1.0 / mean) if mean > 0 else 0.0


class LoadGenCPU:
    """CPU seconds of this (load generator) process over a phase."""

    def __enter__(self):
        self.t0 = time.process_time()
        return self

    def __exit__(self, *exc):
        self.cpu_s = time.process_time() - self.t0


def seeded(seed):
    return random.Random(seed)
