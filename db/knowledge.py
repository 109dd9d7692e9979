"""Queries on advisor-approved answers (the reviewed knowledge store) and canned responses."""
from sqlalchemy import insert, select, update

from . import transaction, utcnow
from .schema import canned_responses, knowledge_answers

_live = knowledge_answers.c.deleted_at.is_(None)
_live_canned = canned_responses.c.deleted_at.is_(None)
STATUSES = ("pending", "approved")


def add_answer(question, answer, created_by, source_message_id=None):
    now = utcnow()
    with transaction() as conn:
        result = conn.execute(insert(knowledge_answers).values(
            question=question, answer=answer, status="pending", created_by=created_by,
            source_message_id=source_message_id, created_at=now, updated_at=now))
    return get_answer(result.inserted_primary_key[0])


def get_answer(answer_id):
    with transaction() as conn:
        row = conn.execute(select(knowledge_answers).where(knowledge_answers.c.id == answer_id, _live)
                           ).mappings().first()
    return dict(row) if row else None


def list_answers(status=None):
    """Live answers, newest first; only one status when given."""
    conditions = [_live] + ([knowledge_answers.c.status == status] if status else [])
    with transaction() as conn:
        rows = conn.execute(select(knowledge_answers).where(*conditions)
                            .order_by(knowledge_answers.c.updated_at.desc())).mappings().all()
    return [dict(r) for r in rows]


def update_answer(answer_id, **values):
    """Edit, approve or (deleted_at) remove an answer; returns the row or None."""
    values["updated_at"] = utcnow()
    with transaction() as conn:
        changed = conn.execute(update(knowledge_answers).where(knowledge_answers.c.id == answer_id, _live)
                               .values(**values)).rowcount
    return get_answer(answer_id) if changed and "deleted_at" not in values else (changed or None)


def list_canned():
    with transaction() as conn:
        rows = conn.execute(select(canned_responses).where(_live_canned)
                            .order_by(canned_responses.c.shortcut)).mappings().all()
    return [dict(r) for r in rows]


def save_canned(shortcut, text, canned_id=None):
    """Create (no id) or edit a canned response; raises IntegrityError on a duplicate shortcut."""
    now = utcnow()
    with transaction() as conn:
        if canned_id is None:
            result = conn.execute(insert(canned_responses).values(shortcut=shortcut, text=text,
                                                                  created_at=now, updated_at=now))
            canned_id = result.inserted_primary_key[0]
        elif not conn.execute(update(canned_responses).where(canned_responses.c.id == canned_id, _live_canned)
                              .values(shortcut=shortcut, text=text, updated_at=now)).rowcount:
            return None
        row = conn.execute(select(canned_responses).where(canned_responses.c.id == canned_id)).mappings().first()
    return dict(row)


def delete_canned(canned_id):
    with transaction() as conn:
        return conn.execute(update(canned_responses).where(canned_responses.c.id == canned_id, _live_canned)
                            .values(deleted_at=utcnow())).rowcount == 1
