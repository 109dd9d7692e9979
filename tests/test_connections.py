"""What one connection may cost (havana/connections.py): floods, binary packets, undecodable events.

These talk raw engine.io / Socket.IO frames over a WebSocket, as an attacker's script would.
"""
import json
import threading
import time

import psutil
import pytest
import requests
import websocket

from conftest import wait_until
from test_student_events import new_chat, send

MiB = 1024 * 1024


class RawSocket:
    """A Socket.IO connection spoken by hand: engine.io open, namespace connect, then frames."""

    def __init__(self, server):
        url = server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(url, timeout=5)
        assert self.ws.recv().startswith("0{")  # engine.io open
        self.ws.send("40")
        assert self.recv_until(lambda f: f.startswith("40")), "no namespace connect"

    def recv_until(self, match, timeout=5):
        """The first frame for which match(frame) holds (pings are answered), or None when closed/timed out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                frame = self.ws.recv()
            except (websocket.WebSocketException, OSError):
                return None
            if frame == "2":
                self.ws.send("3")
            elif isinstance(frame, str) and match(frame):
                return frame
        return None

    def call(self, ack_id, event, data):
        self.ws.send(f"42{ack_id}" + json.dumps([event, data]))
        frame = self.recv_until(lambda f: f.startswith(f"43{ack_id}["))
        return json.loads(frame[len(f"43{ack_id}"):])[0]

    def closed(self):
        """True once the server has closed the connection (a ping is answered meanwhile)."""
        try:
            self.ws.send("3")
            self.ws.settimeout(0.2)
            frame = self.ws.recv()
            return frame in ("", None) or frame == "1"
        except websocket.WebSocketTimeoutException:
            return False
        except (websocket.WebSocketException, OSError):
            return True

    def close(self):
        self.ws.close()


def _rss(server):
    return psutil.Process(server.process.pid).memory_info().rss


def _p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


@pytest.mark.parametrize("event", ["student_typing", "student_message"])
def test_a_flood_from_one_connection_is_cut_off_and_a_bystander_stays_fast(start_server, connect, mysql_url, event):
    server = start_server(database_url=mysql_url)
    bystander = connect(server.url)
    calm_chat, calm_token = new_chat(bystander)
    flooder = RawSocket(server)
    chat = flooder.call(0, "student_connect", {})["chat"]["id"]
    baseline, peak = _rss(server), [0]
    sent, done = [0], threading.Event()

    def flood(limit=30_000, seconds=4):
        frame = "42" + json.dumps([event, {"chat_id": chat, "typing": True, "message": "What is the tuition?"}])
        stop_at = time.monotonic() + seconds
        try:
            while sent[0] < limit and time.monotonic() < stop_at:
                flooder.ws.send(frame)
                sent[0] += 1
        except (websocket.WebSocketException, OSError):
            pass  # the server closed the connection
        done.set()

    health, round_trips = [], []
    thread = threading.Thread(target=flood, daemon=True)
    thread.start()
    ended = None
    while ended is None or time.monotonic() < ended + 3:  # while flooding, and 3 s after
        if ended is None and done.is_set():
            ended = time.monotonic()
        started = time.monotonic()
        try:
            requests.get(server.url + "/healthz", timeout=5)
            health.append(time.monotonic() - started)
        except requests.RequestException:
            health.append(5.0)
        started = time.monotonic()
        try:
            bystander.call("student_connect", {"chat_id": calm_chat, "token": calm_token}, timeout=5)
            round_trips.append(time.monotonic() - started)
        except Exception:  # noqa: BLE001 - a timed-out round trip counts as the timeout
            round_trips.append(5.0)
        peak[0] = max(peak[0], _rss(server))
        time.sleep(0.05)
    thread.join(10)
    growth = (peak[0] - baseline) / MiB
    print(f"\nflood of {event}: {sent[0]} events sent; /healthz p99 {_p99(health) * 1000:.0f} ms "
          f"(max {max(health) * 1000:.0f}), socket round trip p99 {_p99(round_trips) * 1000:.0f} ms "
          f"(max {max(round_trips) * 1000:.0f}), {len(health)} samples; RSS +{growth:.1f} MiB")
    assert _p99(health) < 1 and _p99(round_trips) < 1
    assert growth < 100
    # The flooder was told once, then cut off; the bystander's connection carries on.
    told = flooder.recv_until(lambda f: f.startswith('42["error"') and "rate_limited" in f, timeout=2)
    assert told is not None
    wait_until(flooder.closed, timeout=5)
    assert send(bystander, calm_chat, "still here")["ok"]


def test_a_binary_header_announcing_endless_attachments_closes_the_connection(start_server, mysql_url):
    server = start_server(database_url=mysql_url)
    raw = RawSocket(server)
    baseline = _rss(server)
    raw.ws.send('59999999999-["student_message",{"_placeholder":true,"num":0}]')
    chunk, sent = b"\0" * 60_000, 0
    try:
        while sent < 70 * MiB:
            raw.ws.send_binary(chunk)
            sent += len(chunk)
    except (websocket.WebSocketException, OSError):
        pass
    wait_until(raw.closed, timeout=5)
    growth = (_rss(server) - baseline) / MiB
    print(f"\nbinary: {sent / MiB:.1f} MiB sent before the close; RSS +{growth:.1f} MiB")
    assert growth < 20
    assert requests.get(server.url + "/healthz", timeout=5).ok


def test_a_deeply_nested_event_is_answered_with_an_error_and_an_ack(start_server, mysql_url):
    server = start_server(database_url=mysql_url)
    raw = RawSocket(server)
    nested = "[" * 20_000 + "]" * 20_000
    raw.ws.send('427["student_message",' + nested + "]")
    ack = raw.recv_until(lambda f: f.startswith("437["))
    assert ack is not None and json.loads(ack[3:])[0]["error"]["code"] == "invalid_payload"
    assert raw.recv_until(lambda f: f.startswith('42["error"') and "invalid_payload" in f)
    assert raw.call(8, "student_connect", {})["ok"]  # the connection stays usable


def test_typing_reaches_the_desk_only_on_a_change_and_starts_at_most_once_per_interval(mysql_url, inprocess):
    app = inprocess(mysql_url, TYPING_INTERVAL=30)
    student = app.student()
    chat_id = student.call("student_connect", {})["chat"]["id"]
    desk, _ = app.advisor("ana")
    for typing in [True] * 50 + [False] * 50 + [True] * 50:
        assert student.call("student_typing", {"chat_id": chat_id, "typing": typing})["ok"]
    seen = [e["typing"] for e in desk.of("typing") if e["chat_id"] == chat_id and e["who"] == "student"]
    assert seen == [True, False]  # the third start came within the interval


def test_one_connection_causes_a_bounded_number_of_error_events_while_every_ack_still_refuses(mysql_url,
                                                                                              inprocess):
    app = inprocess(mysql_url, SOCKET_ERRORS_PER_SECOND=3)
    student = app.student()
    acks = [student.call("student_message", {"chat_id": "nope"}) for _ in range(40)]
    assert all(ack["error"]["code"] == "invalid_payload" for ack in acks)
    assert 3 <= len(student.of("error")) <= 3 * 3  # a few per second, however fast the refusals come


def test_a_polling_connection_past_its_budget_is_told_once_and_closed(start_server, mysql_url):
    import socketio
    server = start_server(database_url=mysql_url, SOCKET_EVENT_BURST=10, SOCKET_EVENTS_PER_SECOND=1)
    errors = []
    client = socketio.Client(reconnection=False)
    client.on("error", errors.append)
    client.connect(server.url, transports=["polling"], wait_timeout=10)
    try:
        # Just past the burst, then quiet: a POST sent after the close would make the client drop the
        # queued `error` unread (its session is gone), which is the client's race, not the server's.
        for _ in range(12):  # a few per POST (engine.io refuses a POST of more than 16 packets by itself)
            client.emit("student_typing", {"chat_id": "x", "typing": True})
            time.sleep(0.02)
        wait_until(lambda: not client.connected, timeout=5)
        assert [e["code"] for e in errors if e["code"] == "rate_limited"] == ["rate_limited"]
    finally:
        client.disconnect()
