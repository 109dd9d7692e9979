"""Connections: --connections idle sockets held by one process, then --chatting of them chatting.

Memory per connection is (RSS with the sockets open - RSS before) / count, after a short settle,
measured on the app and on the connection floor (a bare Flask-SocketIO app on the same settings).
Then, on the app only, --chatting of the open sockets start a chat and talk to the AI for
--duration s (fake model, exponential think time, as bench/ai_reply.py) while the rest stay idle;
no socket may be dropped.

    python bench/connections.py --connections 5000 --chatting 1000
"""
import asyncio
import sys
import time

import ai_reply
import common as c


async def hold(url, n, pid, settle):
    """Open n idle sockets; returns (clients, RSS growth per socket in KiB, seconds to open them)."""
    warm = [c.Client(url) for _ in range(50)]  # allocator and import warm-up, not counted
    await c.bounded([w.connect() for w in warm])
    await c.close_all(warm)
    await asyncio.sleep(settle)
    use = c.Usage(pid)
    before = use.rss()
    t0 = time.monotonic()
    clients = [c.Client(url) for _ in range(n)]
    await c.bounded([cl.connect() for cl in clients], 100)
    opened = time.monotonic() - t0
    c.settle_heap()
    await asyncio.sleep(settle)
    return clients, (use.rss() - before) / n / 1024, opened


async def chat(clients, duration, think, seed):
    await c.bounded([cl.start_chat() for cl in clients])
    return await ai_reply.drive(clients, duration, think, seed)


async def measure(server, args, model):
    proc, db_ctx = None, None
    try:
        if server == "floor":
            proc = c.start_floor("connection_floor")
        else:
            db_ctx = c.mariadb_database()
            proc = c.start_app(db_ctx.__enter__(), model_url=model.base_url)
        clients, per_conn_kib, opened = await hold(proc.url, args.connections, proc.pid, args.settle)
        use = c.Usage(proc.pid)
        c.figure("connections_idle", server=server, connections=args.connections, kib_per_conn=per_conn_kib,
                 open_s=opened, rss_mb=use.rss() / 2**20)
        if server == "app" and args.chatting:
            await c.warm_up(proc.url)
            with c.Usage(proc.pid) as use, c.LoadGenCPU() as gen:
                times, sent, wall = await chat(clients[:args.chatting], args.duration, args.think, args.seed)
            c.figure("connections_chatting", server=server, connections=args.connections, chatting=args.chatting,
                     **c.summary(times, model.latency), lost=sent - len(times), replies_per_s=len(times) / wall,
                     **use.fields(), loadgen_cpu_s=gen.cpu_s)
            c.check("connections_all_replies", sent > 0 and len(times) == sent, replies=len(times), sent=sent)
        dropped = sum(cl.dropped or not cl.sio.connected for cl in clients)
        c.check(f"connections_none_dropped[{server}]", dropped == 0, dropped=dropped)
        await c.close_all(clients)
        return per_conn_kib
    finally:
        if proc:
            proc.stop()
        if db_ctx:
            db_ctx.__exit__(None, None, None)


async def main():
    ap = c.parser(__doc__)
    ap.add_argument("--connections", type=int, default=5000)
    ap.add_argument("--chatting", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds the chatting students send for")
    ap.add_argument("--think", type=float, default=5.0)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait before reading RSS")
    ap.add_argument("--servers", default="floor,app")
    args = ap.parse_args()
    if args.tiny:
        c.REPLY_TIMEOUT = 20.0
        args.connections, args.chatting, args.duration, args.think, args.settle = 50, 10, 1.0, 0.2, 0.5
    limit = c.raise_nofile()
    c.note(f"machine {c.machine()}; open files limit {limit}")
    model = c.FakeModel(args.latency)
    per = {}
    try:
        for server in args.servers.split(","):
            per[server] = await measure(server, args, model)
    finally:
        model.stop()
        await c.close_http_session()
    if len(per) == 2:
        c.figure("connections_ratio", app_over_floor=per["app"] / per["floor"])
    c.save_json(args.json)
    return c.exit_code()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
