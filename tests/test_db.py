"""Queries and migrations, on SQLite and on MariaDB."""
import subprocess
import sys
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect

import db
from conftest import ROOT, make_config
from db import bookings, chats, history, settings
from db.migrate import top_up_slots, upgrade
from db.schema import metadata


def test_migrations_create_every_table_and_match_the_schema(migrated):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    engine = db.get_engine()
    assert {"chats", "chat_history", "bookings", "settings"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if d[0] != "remove_table"] == []


def test_migrating_twice_adds_nothing(migrated):
    upgrade()
    assert top_up_slots(migrated) == 0
    today = date.today()
    slots = bookings.slots_between(today - timedelta(days=1), today + timedelta(days=10))
    assert len(slots) == 7 * 6
    assert sorted({s["time"] for s in slots}) == [time(h) for h in (9, 10, 11, 14, 15, 16)]


def test_seeding_tomorrow_tops_up_the_window(migrated):
    # Tomorrow where the slots are (TIMEZONE): for hours around midnight UTC it is not the machine's.
    tomorrow = datetime.now(ZoneInfo(migrated.TIMEZONE)).date() + timedelta(days=1)
    assert bookings.seed_slots(tomorrow, 7, migrated.SLOT_TIMES) == 6
    assert bookings.seed_slots(tomorrow, 7, migrated.SLOT_TIMES) == 0


def test_chat_token_is_stored_only_as_a_hash(migrated):
    chat, token = chats.create_chat()
    stored = chats.get_chat(chat["id"])
    assert token not in stored.values()
    assert chats.token_matches(stored, token)
    assert not chats.token_matches(stored, token + "x")
    assert not chats.token_matches(stored, None)


def test_soft_deleted_rows_are_invisible(migrated):
    chat, _ = chats.create_chat()
    history.add_message(chat["id"], "human", "kept")
    gone, _ = history.add_message(chat["id"], "human", "gone")
    with db.transaction() as conn:
        from db.schema import chat_history, chats as chats_table
        conn.execute(chat_history.update().where(chat_history.c.id == gone["id"]).values(deleted_at=db.utcnow()))
    assert [m["message"] for m in history.messages_after(chat["id"])] == ["kept"]
    with db.transaction() as conn:
        conn.execute(chats_table.update().where(chats_table.c.id == chat["id"]).values(deleted_at=db.utcnow()))
    assert chats.get_chat(chat["id"]) is None


def test_messages_keep_unicode_and_order(migrated):
    chat, _ = chats.create_chat()
    texts = ["¿Cuánto cuesta?", "学费是多少", "🎓 emoji"]
    for text in texts:
        history.add_message(chat["id"], "human", text)
    rows = history.messages_after(chat["id"])
    assert [r["message"] for r in rows] == texts
    assert history.messages_after(chat["id"], rows[0]["id"])[0]["message"] == texts[1]


def test_a_retried_client_id_is_stored_once(migrated):
    chat, _ = chats.create_chat()
    first, created = history.add_message(chat["id"], "human", "hi", client_id="c1")
    again, created_again = history.add_message(chat["id"], "human", "hi", client_id="c1")
    assert created and not created_again and first["id"] == again["id"]


def test_only_one_advisor_holds_a_takeover_and_only_the_holder_hands_back(migrated):
    from db import admins
    chat, _ = chats.create_chat()
    ana, bob = admins.create_admin("ana", "x"), admins.create_admin("bob", "x")
    assert chats.take_over(chat["id"], ana) and chats.take_over(chat["id"], ana)  # again: still hers
    assert not chats.take_over(chat["id"], bob)
    assert not chats.hand_back(chat["id"], bob)
    assert chats.get_chat(chat["id"])["taken_by"] == ana
    assert chats.hand_back(chat["id"], ana) and not chats.hand_back(chat["id"], ana)
    after = chats.get_chat(chat["id"])
    assert after["status"] == "ai" and after["taken_by"] is None
    assert chats.take_over(chat["id"], bob)


def test_lifecycle_transitions_are_guarded_by_status(migrated):
    chat, _ = chats.create_chat()
    assert not chats.rate(chat["id"], 5, None)  # only a closed chat is rated
    assert not chats.reopen(chat["id"])
    assert chats.escalate(chat["id"], "asked for a person") and not chats.escalate(chat["id"], "again")
    assert chats.close(chat["id"]) and not chats.close(chat["id"])
    assert chats.rate(chat["id"], 4, "ok") and chats.reopen(chat["id"])
    stored = chats.get_chat(chat["id"])
    assert (stored["status"], stored["rating"], stored["closed_at"]) == ("ai", 4, None)
    assert chats.lock_chat("no-such-chat") is None and not chats.close("no-such-chat")


def test_an_advisors_message_marks_the_chat_read_and_times_the_first_human_reply(migrated):
    chat, _ = chats.create_chat()
    history.add_message(chat["id"], "human", "hello?")
    assert chats.get_chat(chat["id"])["admin_read_id"] == 0
    chats.escalate(chat["id"], "asked for a person")
    reply, _ = history.add_message(chat["id"], "human_operator", "Hi, Ana here", author="ana")
    after = chats.get_chat(chat["id"])
    assert after["admin_read_id"] == reply["id"] and after["first_human_reply_at"] == reply["created_at"]
    history.add_message(chat["id"], "human_operator", "Still there?", author="ana")
    assert chats.get_chat(chat["id"])["first_human_reply_at"] == reply["created_at"]


def test_a_students_message_is_read_at_once_only_while_an_advisor_has_the_chat_open(migrated):
    from db import presence
    chat, _ = chats.create_chat()
    unseen, _ = history.add_message(chat["id"], "human", "one", viewed_since=presence.fresh_since())
    assert chats.get_chat(chat["id"])["admin_read_id"] < unseen["id"]
    presence.view_chat("sid-1", chat["id"], _an_admin())
    seen, _ = history.add_message(chat["id"], "human", "two", viewed_since=presence.fresh_since())
    assert chats.get_chat(chat["id"])["admin_read_id"] == seen["id"]


def _an_admin():
    from db import admins
    return admins.create_admin("reader", "not-a-real-hash")


def test_calls_inside_one_transaction_share_it_and_fail_together(migrated):
    chat, _ = chats.create_chat()
    with pytest.raises(RuntimeError):
        with db.transaction():
            history.add_message(chat["id"], "human", "kept only if all of it commits")
            settings.set_setting("active_model", "openai")
            raise RuntimeError("a later step failed")
    assert history.messages_after(chat["id"]) == [] and settings.get_setting("active_model") is None


def test_each_transaction_on_mariadb_costs_its_statements_and_one_commit(mysql_url, monkeypatch):
    """mysql-connector pings before every cursor and the pool rolls back on return by default."""
    from mysql.connector.connection import MySQLConnection
    db.init_engine(make_config(mysql_url, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0))
    upgrade()
    chat, _ = chats.create_chat()
    sent = []
    real_ping, real_query = MySQLConnection.cmd_ping, MySQLConnection.cmd_query
    monkeypatch.setattr(MySQLConnection, "cmd_ping", lambda self: sent.append("PING") or real_ping(self))
    monkeypatch.setattr(MySQLConnection, "cmd_query", lambda self, query, *a, **kw:
                        sent.append(str(query, "utf-8") if isinstance(query, bytes) else query)
                        or real_query(self, query, *a, **kw))

    def commands():
        found = [q.split()[0] for q in sent]
        sent.clear()
        return found

    chats.get_chat(chat["id"])
    assert commands() == ["SELECT", "COMMIT"]
    with db.transaction():
        chats.get_chat(chat["id"])
        history.recent_messages(chat["id"])
    assert commands() == ["SELECT", "SELECT", "COMMIT"]
    with db.transaction():  # how every action writes to a chat
        chats.lock_chat(chat["id"])
        history.add_message(chat["id"], "human", "hi")
    assert "FOR UPDATE" in sent[0]
    assert commands() == ["SELECT", "INSERT", "UPDATE", "COMMIT"]
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0)  # a connection idle for longer is pinged first
    chats.get_chat(chat["id"])
    assert commands() == ["PING", "SELECT", "COMMIT"]
    db.get_engine().dispose()


def test_a_dead_pooled_connection_is_replaced_before_use(mysql_url, monkeypatch):
    db.init_engine(make_config(mysql_url, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0))
    upgrade()
    chat, _ = chats.create_chat()
    with db.transaction() as conn:
        connection_id = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar()
    killer = db.build_engine(mysql_url)
    with killer.begin() as conn:
        conn.exec_driver_sql(f"KILL {int(connection_id)}")  # as a server restart or wait_timeout would
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0)
    assert chats.get_chat(chat["id"])["id"] == chat["id"]
    db.get_engine().dispose()


def test_settings_insert_and_replace(migrated):
    assert settings.get_setting("active_model", "local") == "local"
    settings.set_setting("active_model", "openai")
    settings.set_setting("active_model", "openai")
    settings.set_setting("active_model", "gemini")
    assert settings.get_setting("active_model") == "gemini"


def test_booking_again_moves_the_booking_and_frees_the_old_slot(migrated):
    chat, _ = chats.create_chat()
    first, second = bookings.free_slots(datetime(2000, 1, 1))[:2]
    bookings.claim_slot(first["id"], chat["id"])
    slot, previous = bookings.claim_slot(second["id"], chat["id"])
    assert slot["id"] == second["id"] and previous["id"] == first["id"]
    assert bookings.booking_for_chat(chat["id"])["id"] == second["id"]
    assert bookings.chat_of_slot(first["id"]) is None


def test_a_taken_slot_is_refused_and_the_loser_keeps_its_booking(migrated):
    winner, _ = chats.create_chat()
    loser, _ = chats.create_chat()
    first, second = bookings.free_slots(datetime(2000, 1, 1))[:2]
    bookings.claim_slot(first["id"], winner["id"])
    bookings.claim_slot(second["id"], loser["id"])
    with pytest.raises(bookings.SlotTaken):
        bookings.claim_slot(first["id"], loser["id"])
    assert bookings.booking_for_chat(loser["id"])["id"] == second["id"]


def test_free_slots_exclude_past_and_booked(migrated):
    chat, _ = chats.create_chat()
    everything = bookings.free_slots(datetime(2000, 1, 1))
    bookings.claim_slot(everything[0]["id"], chat["id"])
    later = bookings.free_slots(datetime.combine(everything[0]["date"], time(10, 30)))
    assert everything[0]["id"] not in [s["id"] for s in later]
    assert all((s["date"], s["time"]) > (everything[0]["date"], time(10, 30)) for s in later)


@pytest.mark.parametrize("racers", [50, 200])
def test_chats_racing_for_one_slot_on_mariadb_book_it_exactly_once(mysql_url, racers):
    config = make_config(mysql_url, DB_POOL_SIZE=20, DB_MAX_OVERFLOW=10)
    db.init_engine(config)
    upgrade()
    top_up_slots(config)
    slot = bookings.free_slots(datetime(2000, 1, 1))[0]
    chat_ids = [chats.create_chat()[0]["id"] for _ in range(racers)]
    winners, taken, barrier = [], [], threading.Barrier(racers)

    def book(chat_id):
        barrier.wait()
        try:
            bookings.claim_slot(slot["id"], chat_id)
            winners.append(chat_id)
        except bookings.SlotTaken:
            taken.append(chat_id)

    threads = [threading.Thread(target=book, args=(c,)) for c in chat_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and len(taken) == racers - 1
    assert bookings.chat_of_slot(slot["id"]) == winners[0]
    db.get_engine().dispose()


GEVENT_PROBE = """
from gevent import monkey; monkey.patch_all()
import sys, time, gevent
sys.path.insert(0, {root!r})
from sqlalchemy import text
import db
engine = db.build_engine({url!r}, pool_size=20, max_overflow=0)
def sleep():
    with engine.connect() as conn:
        conn.execute(text("SELECT SLEEP(0.2)"))
with engine.connect() as conn:
    conn.execute(text("SELECT 1"))
start = time.perf_counter()
gevent.joinall([gevent.spawn(sleep) for _ in range(20)], raise_error=True)
print(time.perf_counter() - start)
"""


def test_database_calls_do_not_block_gevent(mysql_url):
    """20 concurrent SELECT SLEEP(0.2) under gevent overlap: the pure-Python driver yields on I/O."""
    out = subprocess.run([sys.executable, "-c", GEVENT_PROBE.format(root=str(ROOT), url=mysql_url)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    elapsed = float(out.stdout.strip().splitlines()[-1])
    assert elapsed < 1.5, f"20 x SLEEP(0.2) took {elapsed:.2f}s: the driver blocks the event loop"


def test_a_full_pool_waits_instead_of_failing(mysql_url):
    engine = db.build_engine(mysql_url, pool_size=2, max_overflow=0, pool_timeout=10)
    from sqlalchemy import text
    errors = []

    def work():
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT SLEEP(0.1)"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine.dispose()


def test_concurrent_writers_to_one_chat_never_deadlock_on_mariadb(mysql_url):
    config = make_config(mysql_url, DB_POOL_SIZE=20)
    db.init_engine(config)
    upgrade()
    chat, _ = chats.create_chat()
    errors, barrier = [], threading.Barrier(20)

    def write(n):
        barrier.wait()
        for i in range(5):
            try:
                with db.transaction():  # how every action writes to a chat
                    chats.lock_chat(chat["id"])
                    history.add_message(chat["id"], "human_operator" if n % 2 else "human", f"{n}-{i}")
            except Exception as exc:  # noqa: BLE001 - any failure is the bug
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(history.messages_after(chat["id"])) == 100
    db.get_engine().dispose()
