"""Analytics figures computed from a seeded database (they survive restarts: nothing is in memory)."""
from datetime import timedelta

import db
from chatbot import ModelCall
from db import bookings, chats, history
from db.schema import chats as chats_table
from havana.actions.analytics import analytics
from havana.actions.knowledge import knowledge_gaps


def _set(chat_id, **values):
    """Seed columns no action would set directly (creation times in the past)."""
    with db.transaction() as conn:
        conn.execute(chats_table.update().where(chats_table.c.id == chat_id).values(**values))


def seed_chat(created, escalated_after=None, first_reply_after=None, reason=None, rating=None, comment=None):
    chat, _ = chats.create_chat()
    values = {"created_at": created}
    if escalated_after is not None:
        values.update(status="waiting_human", escalated_at=created + escalated_after, escalation_reason=reason)
    if first_reply_after is not None:
        values["first_human_reply_at"] = created + escalated_after + first_reply_after
    if rating:
        values.update(status="closed", rating=rating, rating_comment=comment)
    _set(chat["id"], **values)
    return chat["id"]


def test_figures_from_stored_chats_models_bookings_and_ratings(migrated):
    now = db.utcnow()
    for day in range(3):
        seed_chat(now - timedelta(days=day, hours=1))
    seed_chat(now - timedelta(hours=2), timedelta(minutes=1), timedelta(seconds=30), "The student asked to talk to an advisor.")
    seed_chat(now - timedelta(hours=3), timedelta(minutes=1), timedelta(seconds=90), "Not covered by the knowledge base: visas?")
    seed_chat(now - timedelta(hours=4), timedelta(minutes=1), timedelta(seconds=300), "Not covered by the knowledge base: pets?")
    rated = seed_chat(now - timedelta(hours=5), rating=5, comment="Great help")
    seed_chat(now - timedelta(hours=6), rating=3)
    seed_chat(now - timedelta(days=40))  # outside the window
    history.add_message(rated, "ai", "answer", model="local")
    history.write_message(history.MessageWrite(  # a reply and its model calls are stored together
        rated, "ai", "answer", model="openai:gpt-4o",
        calls=[ModelCall("openai:gpt-4o", ok, latency, None if ok else "APITimeoutError")
               for latency, ok in ((100, True), (300, True), (50, False))]))
    slot = bookings.free_slots(now.replace(year=2000))[0]
    bookings.claim_slot(slot["id"], rated)
    bookings.release_slot(slot["id"], rated)
    bookings.claim_slot(slot["id"], rated)

    figures = analytics(days=14)
    assert figures["chats"] == 8 and figures["escalated"] == 3 and figures["resolved_by_ai"] == 5
    assert figures["escalated_share"] == 0.375
    assert sum(d["chats"] for d in figures["chats_per_day"]) == 8 and len(figures["chats_per_day"]) == 14
    assert figures["first_human_reply_seconds"] == {"median": 90.0, "p90": 300.0, "count": 3}
    assert figures["top_escalation_reasons"][0] == {"reason": "Not covered by the knowledge base", "count": 2}
    assert figures["bookings"] == {"made": 2, "cancelled": 1, "attended": 0, "no_show": 0}
    openai = figures["models"]["openai:gpt-4o"]
    assert openai == {"label": "OpenAI gpt-4o", "replies": 1, "calls": 3, "errors": 1, "error_rate": 0.333,
                      "latency_ms_p50": 100, "latency_ms_p90": 300}
    assert figures["models"]["local"]["replies"] == 1
    assert figures["ratings"] == {"count": 2, "average": 4.0, "distribution": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1},
                                  "comments": ["Great help"]}


def test_knowledge_gaps_group_similar_questions(migrated):
    now = db.utcnow()
    for text in ("Do you accept pets in the dorms?", "Are pets accepted in the dorms?", "Can I park a boat?"):
        chat_id = seed_chat(now - timedelta(hours=1), timedelta(minutes=1), None, "Not covered")
        history.add_message(chat_id, "human", text)
        _set(chat_id, escalated_at=db.utcnow() + timedelta(seconds=1))
    gaps = knowledge_gaps()
    assert [g["count"] for g in gaps] == [2, 1]
    assert set(gaps[0]["examples"]) == {"Do you accept pets in the dorms?", "Are pets accepted in the dorms?"}
