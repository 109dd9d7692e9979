"""The benchmark scripts (bench/) run once each at a tiny size, so they never rot.

These are not timed tests: they check that each script starts its servers, drives its clients,
prints its figure lines, and that the correctness checks inside it held (every reply arrived,
exactly one booking, no connection dropped). Real sizes: `python bench/run_all.py`.
"""
import json
import os
import subprocess
import sys

import pytest
import redis

from conftest import REQUIRE_MYSQL, ROOT, unavailable

BENCH = ROOT / "bench"

CASES = {
    "ai_reply": ["ai_reply", "ai_burst"],
    "relay": ["relay_fixed", "relay_saturation"],
    "connections": ["connections_idle", "connections_chatting", "connections_ratio"],
    "booking": ["booking"],
    "scaleout": ["relay_fixed", "relay_saturation", "scaleout_ratio"],
}


@pytest.fixture
def redis_available():
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
    except redis.RedisError:
        unavailable("Redis at 127.0.0.1:6379", REQUIRE_MYSQL)


@pytest.mark.parametrize("script", list(CASES))
def test_benchmark_runs_at_a_tiny_size(script, mysql_server, request, tmp_path):
    if script == "scaleout":
        request.getfixturevalue("redis_available")
    out = tmp_path / "figures.json"
    result = subprocess.run([sys.executable, str(BENCH / f"{script}.py"), "--tiny", "--json", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=240,
                            env={**os.environ, "BENCH_LOG_DIR": str(tmp_path / "logs")})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    lines = result.stdout.splitlines()
    for name in CASES[script]:
        assert any(line.startswith(f"FIGURE {name} ") for line in lines), result.stdout[-4000:]
    checks = [line for line in lines if line.startswith("CHECK ")]
    assert checks and all(" ok=True" in line for line in checks), "\n".join(checks)
    figures = json.loads(out.read_text())
    assert any(f.get("figure") == CASES[script][0] for f in figures)


def test_run_all_renders_the_tables_from_saved_figures(tmp_path):
    figures = [
        {"figure": "ai_reply", "server": s, "students": 200, "p50_ms": p50, "p90_ms": 1.0, "p99_ms": p99,
         "max_ms": 9.0, "replies_per_s": 30.0, "cpu_per_reply_ms": cpu}
        for s, p50, p99, cpu in (("floor", 5.0, 10.0, 3.0), ("durable", 6.0, 12.0, 5.0), ("app", 9.0, 70.0, 8.0))
    ] + [{"check": "booking_exactly_one", "ok": True}]
    path = tmp_path / "figures.json"
    path.write_text(json.dumps(figures))
    result = subprocess.run([sys.executable, str(BENCH / "run_all.py"), "--from-json", str(path)],
                            capture_output=True, text=True, check=True)
    assert "| 200 | 9.0 | 5.0 | 1.80 | 70.0 | 10.0 | 7.00 | 9.0 | 30.0 |" in result.stdout
    assert "p50 met (≤ 3x), p99 MISSED (≤ 6x)" in result.stdout
    assert "CPU/reply vs floor met (≤ 3x), vs durable MISSED (≤ 1.5x)" in result.stdout
    assert "Checks: 1 passed, 0 failed" in result.stdout
