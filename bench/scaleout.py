"""Scale-out: the operator relay through one process, and through two (or four) sharing Redis.

Three setups by default, same clients and phases as bench/relay.py: one process without Redis, one
process with the Redis message queue, and two processes with it (students and advisors alternate
between them, so half the messages cross from one process to the other). `--setups ...,four+redis`
adds four processes; `one+redis+listener` serves every client from one process beside a second one
that no client uses, and reports that one's CPU per message apart (`listener_cpu_per_msg_ms`): what
every process of a fleet pays for each emit of the others, which Redis hands to all of them. Server CPU per relayed message
is summed over the app processes; Redis's CPU and the load generator's are reported beside it so
the limit on 2 cores can be named.

    python bench/scaleout.py
"""
import asyncio
import sys
import uuid

import common as c
import relay as r


async def setup_run(label, args, processes, use_redis, listeners=0):
    procs = []
    with c.mariadb_database() as url:
        try:
            channel = f"havana-bench-{uuid.uuid4().hex[:8]}"
            for i in range(processes + listeners):  # one after the other: the first applies the migrations
                procs.append(c.start_app(url, redis_url=c.REDIS_URL if use_redis else None, channel=channel,
                                         name=f"app{i}"))
            serving, idle = procs[:processes], procs[processes:]
            cookie = c.admin_cookie(serving[0])
            urls = [p.url for p in serving]
            relay = r.Relay(urls, urls, cookie)
            await relay.connect(args.chats, args.admins)
            # One student in a chat of its own on each idle process: a process subscribes to Redis
            # once it has a client, as every process of a fleet has.
            bystanders = [client for p in idle for client in await c.connect_students(p.url, 1)]
            out = await r.run_phases(relay, args, [p.pid for p in serving], label,
                                     extra_cpu=c.redis_cpu_seconds if use_redis else None,
                                     listener_pids=[p.pid for p in idle])
            await c.close_all(bystanders)
            await relay.close()
            return out
        finally:
            for p in procs:
                p.stop()


async def main():
    ap = c.parser(__doc__)
    r.add_arguments(ap)
    ap.add_argument("--setups", default="one,one+redis,two+redis")
    args = ap.parse_args()
    if args.tiny:
        r.tiny(args)
    c.raise_nofile()
    c.note(f"machine {c.machine()}")
    setups = {"one": (1, False), "one+redis": (1, True), "two+redis": (2, True), "four+redis": (4, True),
              "one+redis+listener": (1, True, 1)}
    results = {}
    try:
        for label in args.setups.split(","):
            results[label] = await setup_run(label, args, *setups[label])
    finally:
        await c.close_http_session()
    base = results.get("one")
    for label, out in results.items():
        if base and label != "one":
            c.figure("scaleout_ratio", setup=label,
                     cpu_per_msg_vs_one=out["fixed"]["cpu_per_msg_ms"] / base["fixed"]["cpu_per_msg_ms"],
                     sat_cpu_per_msg_vs_one=(out["saturation"]["cpu_per_msg_ms"]
                                             / base["saturation"]["cpu_per_msg_ms"]),
                     throughput_vs_one=out["saturation"]["msgs_per_s"] / base["saturation"]["msgs_per_s"])
    c.save_json(args.json)
    return c.exit_code()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
