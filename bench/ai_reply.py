"""AI reply overhead: reply time minus the fake model's latency, app beside the AI-path floors.

Each simulated student opens a chat, then for --duration seconds: thinks (exponential, mean
--think s), sends, and waits for the AI's reply before thinking again; so arrivals are independent,
not lock-step, and the offered rate is about students / (think + reply time). At --burst students, one more line: every student sends at once and we time the last reply.
The app runs the real path: MariaDB, the LangChain tool loop, ChatOpenAI against the fake model.
Two floors: `floor` (bench/floors/ai_floor.py: echo, model call, reply) and `durable`
(bench/floors/durable_floor.py: the same plus one INSERT per message, on its own fresh MariaDB
database like the app's).

    python bench/ai_reply.py                   # 1, 200 and 1000 students: floor, durable and app
    python bench/ai_reply.py --sizes 200 --servers app
"""
import asyncio
import collections
import sys
import time

import common as c


def parse():
    ap = c.parser(__doc__)
    ap.add_argument("--sizes", default="1,200,1000", help="numbers of students, comma-separated")
    ap.add_argument("--think", type=float, default=5.0, help="mean think time before each message, s")
    ap.add_argument("--solo-think", type=float, default=0.1,
                    help="mean think time for a single student (only spaces its messages)")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of sending at each size")
    ap.add_argument("--burst", type=int, default=200, help="at this size, also the all-at-once burst")
    ap.add_argument("--servers", default="floor,durable,app")
    args = ap.parse_args()
    if args.tiny:
        c.REPLY_TIMEOUT = 20.0
        args.sizes, args.think, args.solo_think, args.duration, args.burst = "1,5", 0.2, 0.05, 1.0, 5
    args.sizes = [int(s) for s in args.sizes.split(",")]
    return args


async def prepare(url, n):
    """n students with a chat each, after a few warm-up replies (they build clients and caches)."""
    await c.warm_up(url)
    return await c.connect_students(url, n)


async def drive(students, duration, think, seed):
    """Independent students for `duration` s; returns (reply times, sent, wall seconds)."""
    times, sent, errors = [], 0, collections.Counter()
    t0 = time.monotonic()
    end = t0 + duration

    async def student(client, rng):
        nonlocal sent
        while True:
            delay = c.think(rng, think)
            if time.monotonic() + delay >= end:
                return
            await asyncio.sleep(delay)
            sent += 1
            seconds, data = await client.ask("What is the tuition for graduate students?")
            if seconds is not None:
                times.append(seconds)
            else:
                errors[(data or {}).get("error", {}).get("code", "timeout")] += 1

    # One generator per student: the floor and the app see the same think times.
    await asyncio.gather(*(student(s, c.seeded(seed * 100_003 + i)) for i, s in enumerate(students)))
    if errors:
        c.note(f"replies missing: {dict(errors)} (an `error` event instead of a reply, or none within "
               f"{c.REPLY_TIMEOUT:.0f} s)")
    return times, sent, time.monotonic() - t0


async def burst(students):
    """Every student sends one message at the same moment; reply times and the time to the last."""
    t0 = time.monotonic()
    results = await asyncio.gather(*(s.ask("And what about housing?") for s in students))
    done = [r for r, _ in results if r is not None]
    return done, len(results) - len(done), time.monotonic() - t0


async def measure(server, label, args, model):
    for n in args.sizes:
        solo = n == 1
        proc, db_ctx = None, None
        try:
            if server == "floor":
                proc = c.start_floor("ai_floor", model.base_url)
            elif server == "durable":
                db_ctx = c.mariadb_database()
                proc = c.start_floor("durable_floor", model.base_url, db_ctx.__enter__())
            else:
                db_ctx = c.mariadb_database()
                proc = c.start_app(db_ctx.__enter__(), model_url=model.base_url)
            students = await prepare(proc.url, n)
            with c.Usage(proc.pid) as use, c.Usage(*c.mariadb_pids()) as database, c.LoadGenCPU() as gen:
                times, sent, wall = await drive(students, args.duration, args.solo_think if solo else args.think,
                                                args.seed)
            per = 1e3 / max(1, len(times))
            c.figure("ai_reply", server=label, students=n, **c.summary(times, model.latency), lost=sent - len(times),
                     replies_per_s=len(times) / wall, **use.fields(), cpu_per_reply_ms=use.cpu_s * per,
                     db_cpu_per_reply_ms=database.cpu_s * per, loadgen_cpu_s=gen.cpu_s)
            c.check(f"ai_reply_all_arrived[{label},{n}]", sent > 0 and len(times) == sent, replies=len(times),
                    sent=sent)
            if n == args.burst:
                with c.Usage(proc.pid) as use:
                    times, lost, last = await burst(students)
                c.figure("ai_burst", server=label, students=n, last_reply_ms=last * 1e3,
                         **c.summary(times, model.latency), lost=lost, **use.fields())
                c.check(f"ai_burst_all_arrived[{label},{n}]", lost == 0, replies=len(times))
            await c.close_all(students)
        finally:
            if proc:
                proc.stop()
            if db_ctx:
                db_ctx.__exit__(None, None, None)


async def main():
    args = parse()
    c.raise_nofile()
    c.note(f"machine {c.machine()}")
    model = c.FakeModel(args.latency)
    try:
        for server in args.servers.split(","):
            await measure(server, server, args, model)
    finally:
        model.stop()
        await c.close_http_session()
    c.save_json(args.json)
    return c.exit_code()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
