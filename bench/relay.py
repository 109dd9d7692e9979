"""Operator relay: an advisor's message to the student's screen, app beside the relay floor.

--chats students each open a chat; --admins advisors (signed in through the real form) write into
them. First one untimed message per chat (in the app it takes the chat over). Then two phases:
a fixed rate (--rate messages/s, evenly spaced, chats in turn) and saturation (--sat-messages
with at most --window undelivered at once). Latency is from the advisor's emit to the student's
`new_message`; the app also sends every message to the advisors' room, and so does the floor.

    python bench/relay.py
    python bench/relay.py --chats 200 --rate 100 --duration 15
"""
import argparse
import asyncio
import sys
import time

import common as c


def add_arguments(ap):
    ap.add_argument("--chats", type=int, default=200)
    ap.add_argument("--admins", type=int, default=2)
    ap.add_argument("--rate", type=float, default=100.0, help="fixed-rate phase, messages per second")
    ap.add_argument("--duration", type=float, default=15.0, help="fixed-rate phase, seconds")
    ap.add_argument("--sat-messages", type=int, default=6000, help="saturation phase, messages")
    ap.add_argument("--window", type=int, default=100, help="saturation phase, most messages in flight")
    ap.add_argument("--one-per-chat", action=argparse.BooleanOptionalAction, default=True,
                    help="saturation: at most one message in flight per chat (--no-one-per-chat overlaps them)")


def tiny(args):
    c.REPLY_TIMEOUT = 20.0
    args.chats, args.admins, args.rate, args.duration, args.sat_messages, args.window = 5, 1, 20, 1.0, 60, 1


class Relay:
    """Students and advisors spread over one or more servers; timestamps of every relayed message.

    A message is in flight (it holds a place in the saturation window) until the student has it
    and the advisor has its acknowledgement.
    """

    def __init__(self, student_urls, admin_urls, cookie=None):
        self.student_urls, self.admin_urls, self.cookie = student_urls, admin_urls, cookie
        self.sent, self.pending, self.latencies, self.errors = {}, {}, [], 0
        self.finished, self.expected, self.gate = 0, 0, None
        self.busy, self.free = {}, set()  # text -> chat index; chats with nothing in flight
        self.done = asyncio.Event()

    def _received(self, client, data, now):
        if data.get("role") != "human_operator" or data.get("chat_id") != client.chat_id:
            return
        t0 = self.sent.pop(data.get("message"), None)
        if t0 is not None:
            self.latencies.append(now - t0)
            self._finish(data["message"])

    def _ack(self, text, answer=None):
        if (answer or {}).get("ok"):
            return self._finish(text)
        self.errors += 1
        if self.errors <= 3:
            c.note(f"admin_message refused: {answer}")
        self.sent.pop(text, None)
        self._finish(text, 2)

    def _finish(self, text, parts=1):
        left = self.pending.get(text, 0) - parts
        if left > 0:
            self.pending[text] = left
            return
        if self.pending.pop(text, None) is None:
            return
        chat = self.busy.pop(text, None)
        if chat is not None:
            self.free.add(chat)
        self.finished += 1
        if self.gate:
            self.gate.release()
        if self.finished >= self.expected:
            self.done.set()

    async def connect(self, chats, admins):
        urls = self.student_urls
        self.students = [c.Client(urls[i % len(urls)], on_message=self._received) for i in range(chats)]
        await c.bounded([s.connect() for s in self.students])
        await c.bounded([s.start_chat() for s in self.students])
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.admins = [c.Client(self.admin_urls[i % len(self.admin_urls)], headers) for i in range(admins)]
        await c.bounded([a.connect() for a in self.admins])
        for admin in self.admins:
            ack = await admin.sio.call("admin_connect", {}, timeout=60)
            assert ack.get("ok"), ack
        # Chat j is written to by an advisor chosen so that, with two servers, half the messages cross.
        self.route = [(self.admins[(j // len(urls)) % admins], s.chat_id) for j, s in enumerate(self.students)]

    async def _send(self, seq, chat=None):
        chat = seq % len(self.route) if chat is None else chat
        admin, chat_id = self.route[chat]
        text = f"r{seq}"
        self.busy[text] = chat
        self.pending[text] = 2  # delivered, acknowledged
        self.sent[text] = time.monotonic()
        await admin.sio.emit("admin_message", {"chat_id": chat_id, "message": text},
                             callback=lambda answer=None: self._ack(text, answer))

    def _reset(self, expected, window=None):
        self.latencies, self.expected, self.finished = [], expected, 0
        self.done.clear()
        self.gate = asyncio.Semaphore(window) if window else None

    async def _wait(self):
        try:
            await asyncio.wait_for(self.done.wait(), c.REPLY_TIMEOUT)
        except asyncio.TimeoutError:
            pass
        lost = self.expected - len(self.latencies)
        self.sent.clear()
        self.pending.clear()
        return lost

    async def warm_up(self):
        """One message per chat, untimed: the app's first operator message takes the chat over."""
        self._reset(len(self.route))
        for seq in range(len(self.route)):
            await self._send(-1 - seq)
        return await self._wait()

    async def fixed_rate(self, rate, duration):
        count = max(1, int(rate * duration))
        self._reset(count)
        start = time.monotonic()
        for seq in range(count):
            delay = start + seq / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._send(seq)
        lost = await self._wait()
        return {**c.summary(self.latencies), "lost": lost, "rate": rate,
                "sent_per_s": count / (time.monotonic() - start)}

    async def saturation(self, count, window, one_per_chat=True):
        """As fast as the window allows; by default a chat never has two messages in flight (one
        advisor types one message at a time), so chats are taken in turn among the free ones."""
        if one_per_chat:
            window = min(window, len(self.route))
        self._reset(count, window)
        self.free = set(range(len(self.route)))
        turn = 0
        start = time.monotonic()
        for seq in range(count):
            await self.gate.acquire()
            chat = None
            if one_per_chat:
                while turn % len(self.route) not in self.free:
                    turn += 1
                chat = turn % len(self.route)
                self.free.discard(chat)
                turn += 1
            await self._send(seq, chat)
        lost = await self._wait()
        wall = time.monotonic() - start
        return {**c.summary(self.latencies), "lost": lost, "window": window, "msgs_per_s": len(self.latencies) / wall}

    def received(self):
        return sum(cl.received for cl in self.students + self.admins)

    async def close(self):
        await c.close_all(self.students + self.admins)


async def run_phases(relay, args, pids, label, extra_cpu=None, listener_pids=()):
    """Warm-up, fixed rate, saturation: print the figures; returns {phase: figures}. `listener_pids`:
    app processes no client uses, measured apart (what receiving the others' emits through Redis costs)."""
    out = {}
    lost = await relay.warm_up()
    c.check(f"relay_warm_up[{label}]", lost == 0, lost=lost)
    for phase, run in (("fixed", lambda: relay.fixed_rate(args.rate, args.duration)),
                       ("saturation", lambda: relay.saturation(args.sat_messages, args.window,
                                                               args.one_per_chat))):
        others0 = extra_cpu() if extra_cpu else 0.0
        events0 = relay.received()
        with c.Usage(*pids) as use, c.Usage(*c.mariadb_pids()) as database, c.LoadGenCPU() as gen, \
                c.Usage(*listener_pids) as listeners:
            figures = await run()
        n = figures.get("n", 0) or 1
        if listener_pids:
            figures["listener_cpu_per_msg_ms"] = listeners.cpu_s / len(listener_pids) / n * 1e3
        figures["events_per_msg"] = (relay.received() - events0) / n
        figures["db_cpu_per_msg_ms"] = database.cpu_s / n * 1e3
        extra = {}
        if extra_cpu:
            extra = {"redis_cpu_s": extra_cpu() - others0}
            extra["redis_cpu_per_msg_ms"] = extra["redis_cpu_s"] / n * 1e3
        figures.update(**use.fields(), cpu_per_msg_ms=use.cpu_s / n * 1e3, loadgen_cpu_s=gen.cpu_s,
                       loadgen_util=gen.cpu_s / use.wall_s, **extra)
        c.figure(f"relay_{phase}", server=label, chats=len(relay.students), admins=len(relay.admins), **figures)
        c.check(f"relay_{phase}_all_delivered[{label}]", figures["lost"] == 0 and relay.errors == 0,
                lost=figures["lost"], errors=relay.errors)
        out[phase] = figures
    return out


async def measure(server, args):
    proc, db_ctx = None, None
    try:
        if server == "floor":
            proc, cookie = c.start_floor("relay_floor"), None
        else:
            db_ctx = c.mariadb_database()
            proc = c.start_app(db_ctx.__enter__())
            cookie = c.admin_cookie(proc)
        relay = Relay([proc.url], [proc.url], cookie)
        await relay.connect(args.chats, args.admins)
        await run_phases(relay, args, [proc.pid], server)
        await relay.close()
    finally:
        if proc:
            proc.stop()
        if db_ctx:
            db_ctx.__exit__(None, None, None)


async def main():
    ap = c.parser(__doc__)
    add_arguments(ap)
    ap.add_argument("--servers", default="floor,app")
    args = ap.parse_args()
    if args.tiny:
        tiny(args)
    c.raise_nofile()
    c.note(f"machine {c.machine()}")
    try:
        for server in args.servers.split(","):
            await measure(server, args)
    finally:
        await c.close_http_session()
    c.save_json(args.json)
    return c.exit_code()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
