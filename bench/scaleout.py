"""Scale-out: the operator relay through one process, and through two sharing Redis.

Three setups, same clients and phases as bench/relay.py: one process without Redis, one process
with the Redis message queue, and two processes with it (students and advisors alternate between
them, so half the messages cross from one process to the other). Server CPU per relayed message
is summed over the app processes; Redis's CPU and the load generator's are reported beside it so
the limit on 2 cores can be named.

    python bench/scaleout.py
"""
import asyncio
import sys
import uuid

import common as c
import relay as r


async def setup_run(label, processes, use_redis, args):
    procs = []
    with c.mariadb_database() as url:
        try:
            channel = f"havana-bench-{uuid.uuid4().hex[:8]}"
            for i in range(processes):  # one after the other: the first applies the migrations
                procs.append(c.start_app(url, redis_url=c.REDIS_URL if use_redis else None, channel=channel,
                                         name=f"app{i}"))
            cookie = c.admin_cookie(procs[0])
            urls = [p.url for p in procs]
            relay = r.Relay(urls, urls, cookie)
            await relay.connect(args.chats, args.admins)
            out = await r.run_phases(relay, args, [p.pid for p in procs], label,
                                     extra_cpu=c.redis_cpu_seconds if use_redis else None)
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
    setups = {"one": (1, False), "one+redis": (1, True), "two+redis": (2, True)}
    results = {}
    try:
        for label in args.setups.split(","):
            results[label] = await setup_run(label, *setups[label], args)
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
