"""Questions the analytics page asks of stored data (so the figures survive restarts)."""
from sqlalchemy import func, insert, select

from . import transaction, utcnow
from .schema import ROLE_AI, ROLE_STUDENT, bookings, chat_history, chats, model_calls


def chats_since(since):
    """Rows of live chats created since `since`: the figures are computed from these in Python."""
    with transaction() as conn:
        rows = conn.execute(select(
            chats.c.id, chats.c.created_at, chats.c.escalated_at, chats.c.escalation_reason,
            chats.c.first_human_reply_at, chats.c.status, chats.c.rating, chats.c.rating_comment, chats.c.closed_at,
        ).where(chats.c.deleted_at.is_(None), chats.c.created_at >= since)).mappings().all()
    return [dict(r) for r in rows]


def model_calls_since(since):
    """Per model: calls, failures, and the latencies of successful calls."""
    with transaction() as conn:
        rows = conn.execute(select(model_calls.c.model, model_calls.c.ok, model_calls.c.latency_ms)
                            .where(model_calls.c.created_at >= since)).all()
    return rows


def replies_per_model_since(since):
    with transaction() as conn:
        rows = conn.execute(select(chat_history.c.model, func.count())
                            .where(chat_history.c.role == ROLE_AI, chat_history.c.created_at >= since,
                                   chat_history.c.deleted_at.is_(None))
                            .group_by(chat_history.c.model)).all()
    return {model or "unknown": count for model, count in rows}


def bookings_since(since):
    """(made, cancelled) since `since`: bookings made (held now or cancelled since), and cancellations."""
    with transaction() as conn:
        made = conn.execute(select(func.count()).select_from(bookings)
                            .where(bookings.c.booked_at >= since, bookings.c.deleted_at.is_(None))).scalar()
        cancelled = conn.execute(select(func.coalesce(func.sum(bookings.c.cancelled_count), 0))
                                 .where(bookings.c.updated_at >= since)).scalar()
    return int(made) + int(cancelled), int(cancelled)


def call_outcomes_since(since):
    """{outcome: count} of calls marked attended or no-show since `since`."""
    with transaction() as conn:
        rows = conn.execute(select(bookings.c.outcome, func.count())
                            .where(bookings.c.outcome.isnot(None), bookings.c.outcome_at >= since,
                                   bookings.c.deleted_at.is_(None))
                            .group_by(bookings.c.outcome)).all()
    return dict(rows)


def escalated_questions(limit=300):
    """For the latest escalated chats: the student's last message before the escalation."""
    with transaction() as conn:
        escalated = conn.execute(
            select(chats.c.id, chats.c.escalated_at, chats.c.escalation_reason)
            .where(chats.c.escalated_at.isnot(None), chats.c.deleted_at.is_(None))
            .order_by(chats.c.escalated_at.desc()).limit(limit)).mappings().all()
        questions = []
        for chat in escalated:
            text = conn.execute(
                select(chat_history.c.message).where(
                    chat_history.c.chat_id == chat["id"], chat_history.c.role == ROLE_STUDENT,
                    chat_history.c.created_at <= chat["escalated_at"], chat_history.c.deleted_at.is_(None))
                .order_by(chat_history.c.id.desc()).limit(1)).scalar()
            if text:
                questions.append({"chat_id": chat["id"], "question": text, "reason": chat["escalation_reason"]})
    return questions
