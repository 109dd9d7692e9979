"""Group commit: messages of many chats stored together, each caller answered after its own COMMIT."""
import threading

import pytest
from sqlalchemy import event

import db
from db import chats, history
from db.group_commit import GroupCommit
from db.history import MessageWrite


def write(chat_id, role, text, **fields):
    return history.write_message(MessageWrite(chat_id, role, text, **fields))


def test_messages_written_at_once_from_many_chats_share_commits_and_keep_their_order(migrated):
    rooms = [chats.create_chat()[0]["id"] for _ in range(20)]
    commits, errors, barrier = [], [], threading.Barrier(len(rooms))
    listener = lambda _conn: commits.append(1)  # noqa: E731
    event.listen(db.get_engine(), "commit", listener)

    def student(chat_id):
        barrier.wait()
        try:
            for i in range(5):
                stored = write(chat_id, "human", f"{chat_id}-{i}", client_id=f"c{i}")
                assert stored.accepted and stored.created
        except Exception as exc:  # noqa: BLE001 - any failure is the bug
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(c,)) for c in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    event.remove(db.get_engine(), "commit", listener)
    assert errors == []
    assert len(commits) < 100  # 100 messages: fewer COMMITs, because they were grouped
    for chat_id in rooms:
        stored = history.recent_messages(chat_id)
        assert [m["message"] for m in stored] == [f"{chat_id}-{i}" for i in range(5)]
        assert chats.get_chat(chat_id)["student_messages"] == 5


def test_a_batch_keeps_each_chats_read_marks_and_counts_apart(migrated):
    from db import presence
    watched, quiet, answered = (chats.create_chat()[0]["id"] for _ in range(3))
    presence.view_chat("sid-1", watched, _an_admin())
    chats.escalate(answered, "asked for a person")
    since = presence.fresh_since()
    batch = [MessageWrite(watched, "human", "seen at once", viewed_since=since),
             MessageWrite(quiet, "human", "nobody is looking", viewed_since=since),
             MessageWrite(answered, "human", "hello?", viewed_since=since),
             MessageWrite(answered, "human_operator", "Hi, Ana here", author="ana"),
             MessageWrite(quiet, "ai", "An answer")]
    with db.transaction() as conn:
        assert history.store_messages(conn, batch)
    ids = [w.row["id"] for w in batch]
    assert ids == sorted(ids)
    assert chats.get_chat(watched)["admin_read_id"] == batch[0].row["id"]
    assert chats.get_chat(quiet)["admin_read_id"] == 0
    after = chats.get_chat(answered)
    assert after["admin_read_id"] == batch[3].row["id"] and after["first_human_reply_at"] == batch[3].row["created_at"]
    assert [chats.get_chat(c)["student_messages"] for c in (watched, quiet, answered)] == [1, 1, 1]
    assert [w.student_count for w in batch] == [1, 1, 1, None, None]


def test_a_write_its_chat_refuses_is_left_to_the_caller_and_nothing_is_stored(migrated):
    chat_id = chats.create_chat()[0]["id"]
    refused = write(chat_id, "ai", "too late", accept=lambda chat: chat["status"] != "human")
    assert refused.accepted  # the assistant may answer an open chat
    chats.take_over(chat_id, _an_admin())
    refused = write(chat_id, "ai", "too late", accept=lambda chat: chat["status"] != "human")
    assert not refused.accepted and refused.row is None and refused.chat["status"] == "human"
    assert [m["message"] for m in history.recent_messages(chat_id)] == ["too late"]
    assert not write("0" * 32, "human", "no such chat").accepted


def test_a_client_id_retried_within_one_batch_or_later_is_stored_once(migrated):
    chat_id = chats.create_chat()[0]["id"]
    first, again = (MessageWrite(chat_id, "human", "hi", client_id="c1") for _ in range(2))
    with db.transaction() as conn:
        history.store_messages(conn, [first, again])
    later = write(chat_id, "human", "hi", client_id="c1")
    assert first.created and not again.created and not later.created
    assert first.row["id"] == again.row["id"] == later.row["id"]
    assert chats.get_chat(chat_id)["student_messages"] == 1


def test_a_batch_holding_a_retried_message_stores_the_others_and_answers_the_retry_with_its_row(migrated):
    retried, fresh = (chats.create_chat()[0]["id"] for _ in range(2))
    original = write(retried, "human", "hi", client_id="c1")
    writer, results, barrier = GroupCommit(history.store_messages, window=0.3), {}, threading.Barrier(2)

    def submit(chat_id):
        barrier.wait()
        results[chat_id] = writer.write(MessageWrite(chat_id, "human", "hi", client_id="c1"))

    threads = [threading.Thread(target=submit, args=(c,)) for c in (retried, fresh)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not results[retried].created and results[retried].row["id"] == original.row["id"]
    assert results[fresh].created and results[fresh].row["chat_id"] == fresh
    assert [chats.get_chat(c)["student_messages"] for c in (retried, fresh)] == [1, 1]


def test_what_a_write_reads_is_read_in_its_transaction_once_it_is_stored(migrated):
    chat_id = chats.create_chat()[0]["id"]
    read = lambda w: (db.in_transaction(), [m["message"] for m in history.recent_messages(w.chat_id)])  # noqa: E731
    first = write(chat_id, "human", "hello", client_id="c1", read=read)
    assert first.read_result == (True, ["hello"])
    assert write(chat_id, "human", "hello", client_id="c1", read=read).read_result is None  # a retry: nothing to answer


class Item:
    def __init__(self, name):
        self.name = name


def test_one_failing_write_fails_only_its_own_caller_and_the_writer_goes_on(migrated):
    stored = []

    def store(_conn, items):
        if any(i.name == "bad" for i in items):
            raise ValueError("refused by the database")
        stored.extend(i.name for i in items)
        return True

    writer, barrier, results = GroupCommit(store, window=0.05), threading.Barrier(4), {}

    def submit(name):
        barrier.wait()
        try:
            writer.write(Item(name))
            results[name] = "ok"
        except ValueError:
            results[name] = "error"

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("a", "bad", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": "ok", "bad": "error", "b": "ok", "c": "ok"}
    assert sorted(stored) == ["a", "b", "c"]
    writer.write(Item("d"))
    assert stored[-1] == "d"


def test_a_dead_database_fails_every_waiting_write_with_unavailable_and_the_writer_recovers(migrated):
    state = {"down": True}

    def store(_conn, items):
        if state["down"]:
            raise db.DatabaseUnavailable("OperationalError")
        return True

    writer = GroupCommit(store)
    with pytest.raises(db.DatabaseUnavailable):
        writer.write(Item("lost"))
    state["down"] = False
    assert writer.write(Item("kept")).name == "kept"


def _an_admin():
    from db import admins
    return admins.create_admin("reader", "not-a-real-hash")


def test_a_batch_is_one_insert_one_update_and_one_locking_read(migrated):
    rooms = [chats.create_chat()[0]["id"] for _ in range(10)]
    statements = []
    listener = lambda _c, _cur, sql, *_a: statements.append(sql.split()[0].upper())  # noqa: E731
    event.listen(db.get_engine(), "before_cursor_execute", listener)
    with db.transaction() as conn:
        history.store_messages(conn, [MessageWrite(c, "human", "hello") for c in rooms])
    event.remove(db.get_engine(), "before_cursor_execute", listener)
    assert statements.count("INSERT") == 1 and statements.count("UPDATE") <= 2  # SQLite locks by an UPDATE
    assert statements.count("SELECT") == 1


def test_a_chat_locked_too_long_elsewhere_fails_only_its_own_write_in_the_batch(mysql_url):
    from conftest import make_config
    from db.migrate import upgrade
    db.init_engine(make_config(mysql_url, DB_LOCK_WAIT_TIMEOUT=1))
    upgrade()
    stuck, free = (chats.create_chat()[0]["id"] for _ in range(2))
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():  # another action that keeps the chat row locked past the lock wait timeout
        with db.transaction():
            chats.lock_chat(stuck)
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait(5)
    writer, results = GroupCommit(history.store_messages, window=0.3), {}

    def submit(chat_id):
        try:
            results[chat_id] = writer.write(MessageWrite(chat_id, "human", "hello")).created
        except db.DatabaseUnavailable:
            results[chat_id] = "unavailable"

    writers = [threading.Thread(target=submit, args=(c,)) for c in (stuck, free)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(30)
    release.set()
    holder.join()
    assert results == {stuck: "unavailable", free: True}
