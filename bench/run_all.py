"""Run every benchmark once, then print the figures as tables: app, floor, ratio, target.

    python bench/run_all.py            # the real sizes (about 15 minutes on 2 cores)
    python bench/run_all.py --tiny     # seconds each: what the test suite runs
    python bench/run_all.py --only relay,booking

Each script also runs on its own (see docs/benchmarks.md); this one collects their --json output.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["ai_reply", "relay", "connections", "booking", "scaleout"]


def pick(figures, name, **match):
    for f in figures:
        if f.get("figure") == name and all(f.get(k) == v for k, v in match.items()):
            return f
    return None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, digits=1):
    return "–" if x is None else f"{x:.{digits}f}"


def verdict(value, limit, at_least=False):
    if value is None:
        return "–"
    ok = value >= limit if at_least else value <= limit
    return ("met" if ok else "MISSED") + f" ({'≥' if at_least else '≤'} {limit}x)"


def tables(figures):
    out = []
    sizes = sorted({f["students"] for f in figures if f.get("figure") == "ai_reply"})
    if sizes:
        out += ["### 1. AI reply overhead (reply time − model latency), ms", "",
                "Floors: `floor` is the AI floor (echo, model call, reply); `durable` is the AI floor plus one "
                "INSERT per message (bench/floors/durable_floor.py). Ratios are the app's to each.", "",
                "| students | app p50 | floor p50 | ratio | app p99 | floor p99 | ratio | app max | replies/s | "
                "durable p50 | durable p99 | CPU/reply app (floor, durable), ms | app CPU / floor | app CPU / durable | "
                "MariaDB CPU/reply app (durable), ms | machine cores busy | target |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for n in sizes:
            app, floor, durable = (pick(figures, "ai_reply", server=s, students=n) for s in ("app", "floor", "durable"))
            g = lambda f, k: f.get(k) if f else None  # noqa: E731
            r50, r99 = ratio(g(app, "p50_ms"), g(floor, "p50_ms")), ratio(g(app, "p99_ms"), g(floor, "p99_ms"))
            rc, rd = (ratio(g(app, "cpu_per_reply_ms"), g(f, "cpu_per_reply_ms")) for f in (floor, durable))
            target = (f"p50 {verdict(r50, 3)}, p99 {verdict(r99, 6)}, CPU/reply vs floor {verdict(rc, 3)}, "
                      f"vs durable {verdict(rd, 1.5)}") if n == 200 else ""
            out.append(f"| {n} | {fmt(g(app, 'p50_ms'))} | {fmt(g(floor, 'p50_ms'))} | {fmt(r50, 2)} | "
                       f"{fmt(g(app, 'p99_ms'))} | {fmt(g(floor, 'p99_ms'))} | {fmt(r99, 2)} | {fmt(g(app, 'max_ms'))} | "
                       f"{fmt(g(app, 'replies_per_s'))} | {fmt(g(durable, 'p50_ms'))} | {fmt(g(durable, 'p99_ms'))} | "
                       f"{fmt(g(app, 'cpu_per_reply_ms'))} ({fmt(g(floor, 'cpu_per_reply_ms'))}, "
                       f"{fmt(g(durable, 'cpu_per_reply_ms'))}) | {fmt(rc, 2)} | {fmt(rd, 2)} | "
                       f"{fmt(g(app, 'db_cpu_per_reply_ms'))} ({fmt(g(durable, 'db_cpu_per_reply_ms'))}) | "
                       f"{fmt(g(app, 'machine_cores_busy'), 2)} | {target} |")
        for n in sorted({f["students"] for f in figures if f.get("figure") == "ai_burst"}):
            app, floor, durable = (pick(figures, "ai_burst", server=s, students=n) for s in ("app", "floor", "durable"))
            if app and floor:
                out.append(f"\nBurst of {n}: last reply app {fmt(app['last_reply_ms'])} ms, floor "
                           f"{fmt(floor['last_reply_ms'])} ms (ratio {fmt(ratio(app['last_reply_ms'], floor['last_reply_ms']), 2)})"
                           + (f", durable {fmt(durable['last_reply_ms'])} ms" if durable else "") +
                           f"; overhead p50 app {fmt(app['p50_ms'])} / floor {fmt(floor['p50_ms'])}"
                           + (f" / durable {fmt(durable['p50_ms'])}" if durable else "") + " ms.")
        out.append("")
    app_f, floor_f = pick(figures, "relay_fixed", server="app"), pick(figures, "relay_fixed", server="floor")
    app_s, floor_s = pick(figures, "relay_saturation", server="app"), pick(figures, "relay_saturation", server="floor")
    if app_f and floor_f and app_s and floor_s:
        r50, r99 = ratio(app_f["p50_ms"], floor_f["p50_ms"]), ratio(app_f["p99_ms"], floor_f["p99_ms"])
        rt = ratio(app_s["msgs_per_s"], floor_s["msgs_per_s"])
        rc = ratio(app_f["cpu_per_msg_ms"], floor_f["cpu_per_msg_ms"])
        out += [f"### 2. Operator relay, {app_f['chats']} chats", "",
                "| | app | floor | ratio | target |", "|---|---|---|---|---|",
                f"| p50 at {fmt(app_f['rate'], 0)}/s, ms | {fmt(app_f['p50_ms'], 2)} | {fmt(floor_f['p50_ms'], 2)} | {fmt(r50, 2)} | {verdict(r50, 1.5)} |",
                f"| p99 at {fmt(app_f['rate'], 0)}/s, ms | {fmt(app_f['p99_ms'], 2)} | {fmt(floor_f['p99_ms'], 2)} | {fmt(r99, 2)} | {verdict(r99, 1.5)} |",
                f"| server CPU per message, ms | {fmt(app_f['cpu_per_msg_ms'], 2)} | {fmt(floor_f['cpu_per_msg_ms'], 2)} | "
                f"{fmt(rc, 1)} | {verdict(rc, 4)} |",
                f"| saturation, messages/s | {fmt(app_s['msgs_per_s'], 0)} | {fmt(floor_s['msgs_per_s'], 0)} | {fmt(rt, 2)} | {verdict(rt, 0.3, True)} |",
                f"| MariaDB CPU per message, ms | {fmt(app_f.get('db_cpu_per_msg_ms'), 2)} | | | |",
                f"| saturation: server cores busy | {fmt(app_s['cpu_util'], 2)} | {fmt(floor_s['cpu_util'], 2)} | | |",
                f"| saturation: load generator cores busy | {fmt(app_s['loadgen_util'], 2)} | {fmt(floor_s['loadgen_util'], 2)} | | |",
                f"| saturation: machine cores busy (of 2) | {fmt(app_s.get('machine_cores_busy'), 2)} | "
                f"{fmt(floor_s.get('machine_cores_busy'), 2)} | | |", ""]
    app_c, floor_c = pick(figures, "connections_idle", server="app"), pick(figures, "connections_idle", server="floor")
    if app_c and floor_c:
        r = ratio(app_c["kib_per_conn"], floor_c["kib_per_conn"])
        chat = pick(figures, "connections_chatting")
        out += [f"### 3. Connections: {app_c['connections']} idle", "",
                "| | app | floor | ratio | target |", "|---|---|---|---|---|",
                f"| KiB per connection | {fmt(app_c['kib_per_conn'])} | {fmt(floor_c['kib_per_conn'])} | {fmt(r, 2)} | {verdict(r, 1.05)} |",
                f"| seconds to open them | {fmt(app_c['open_s'])} | {fmt(floor_c['open_s'])} | | |"]
        if chat:
            out.append(f"\n{chat['chatting']} of them chatting: overhead p50 {fmt(chat['p50_ms'])} ms, p99 "
                       f"{fmt(chat['p99_ms'])} ms, max {fmt(chat['max_ms'])} ms, peak RSS {fmt(chat['peak_rss_mb'])} MiB.")
        out.append("")
    book = pick(figures, "booking")
    if book:
        out += [f"### 4. Booking contention, {book['chats']} chats at once", "",
                f"answers p50 {fmt(book['p50_ms'])} ms, p90 {fmt(book['p90_ms'])} ms, p99 {fmt(book['p99_ms'])} ms, "
                f"last {fmt(book['last_answer_ms'])} ms; server CPU {fmt(book['cpu_s'], 2)} s.", ""]
    one = [f for f in figures if f.get("figure", "").startswith("relay_") and f.get("server") in
           ("one", "one+redis", "two+redis")]
    if one:
        out += ["### 5. Scale-out (operator relay)", "",
                "| setup | fixed: server CPU/msg ms | Redis CPU/msg ms | MariaDB CPU/msg ms | p50 ms | p99 ms | "
                "saturation msg/s | sat. CPU/msg ms | server cores busy | Redis+MariaDB cores | load generator cores | "
                "machine cores busy |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for label in ("one", "one+redis", "two+redis"):
            f, s = pick(figures, "relay_fixed", server=label), pick(figures, "relay_saturation", server=label)
            if f and s:
                backing = (s.get("redis_cpu_per_msg_ms") or 0) + (s.get("db_cpu_per_msg_ms") or 0)
                out.append(f"| {label} | {fmt(f['cpu_per_msg_ms'], 2)} | {fmt(f.get('redis_cpu_per_msg_ms'), 2)} | "
                           f"{fmt(f.get('db_cpu_per_msg_ms'), 2)} | {fmt(f['p50_ms'], 2)} | {fmt(f['p99_ms'], 2)} | "
                           f"{fmt(s['msgs_per_s'], 0)} | {fmt(s['cpu_per_msg_ms'], 2)} | {fmt(s['cpu_util'], 2)} | "
                           f"{fmt(backing * s['msgs_per_s'] / 1e3, 2)} | {fmt(s['loadgen_util'], 2)} | "
                           f"{fmt(s.get('machine_cores_busy'), 2)} |")
        for f in figures:
            if f.get("figure") == "scaleout_ratio":
                out.append(f"\n{f['setup']} vs one: CPU/msg {fmt(f['cpu_per_msg_vs_one'], 2)}x "
                           f"({verdict(f['cpu_per_msg_vs_one'], 1.3)}), throughput {fmt(f['throughput_vs_one'], 2)}x.")
        out.append("")
    failed = [f for f in figures if "check" in f and not f["ok"]]
    out.append(f"Checks: {sum(1 for f in figures if 'check' in f) - len(failed)} passed, {len(failed)} failed"
               + "".join(f"\n- FAILED {f['check']}" for f in failed))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--only", default=",".join(SCRIPTS))
    ap.add_argument("--json", help="keep the collected figures here (default: a temporary file)")
    ap.add_argument("--from-json", help="only print the tables of an earlier run's JSON")
    args, passthrough = ap.parse_known_args()
    if args.from_json:
        print(tables(json.loads(Path(args.from_json).read_text())))
        return 0
    out = Path(args.json or tempfile.mkstemp(suffix=".json", prefix="havana-bench-")[1])
    out.write_text("[]")
    codes = {}
    for name in args.only.split(","):
        t0 = time.monotonic()
        print(f"\n== {name} ==", flush=True)
        argv = [sys.executable, str(HERE / f"{name}.py"), "--json", str(out)] + (["--tiny"] if args.tiny else [])
        codes[name] = subprocess.call(argv + passthrough)
        print(f"== {name}: exit {codes[name]} in {time.monotonic() - t0:.0f} s", flush=True)
    print("\n" + tables(json.loads(out.read_text())))
    print(f"\nfigures: {out}")
    return 0 if not any(codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
