"""Learning from advisors: the questions that led to escalation, and the reviewed store of their answers."""
import uuid

import db
from assistant.text import stems
from db import analytics as analytics_db, knowledge as knowledge_db, settings as settings_db, utcnow
from havana import broadcast, protocol as p
from havana.actions.checks import clean_text
from havana.errors import ClientError

# A new value tells every process to reload approved answers before its next reply.
KNOWLEDGE_VERSION_KEY = "knowledge_version"


def answers(status=None):
    return [p.answer_payload(r) for r in knowledge_db.list_answers(status)]


def save_answer(question, answer, admin, source_message_id=None):
    """An advisor saves a question and answer for review (pending until approved)."""
    question, answer = clean_text(question), clean_text(answer)
    with db.transaction():
        row = knowledge_db.add_answer(question, answer, admin.id, source_message_id)
        broadcast.knowledge_changed(answers())
    return p.answer_payload(row)


def review_answer(answer_id, question=None, answer=None, status=None):
    """Edit or approve an answer; approved answers reach the assistant everywhere on the next question."""
    values = {}
    if question is not None:
        values["question"] = clean_text(question)
    if answer is not None:
        values["answer"] = clean_text(answer)
    if status is not None:
        if status not in knowledge_db.STATUSES:
            raise ClientError("invalid_payload", "status must be pending or approved.")
        values["status"] = status
    with db.transaction():
        current = knowledge_db.get_answer(answer_id)
        if current is None:
            raise ClientError("not_found", "No such answer.")
        row = knowledge_db.update_answer(answer_id, **values) if values else current
        if "approved" in (current["status"], row["status"]):
            _assistant_knowledge_changed()
        broadcast.knowledge_changed(answers())
    return p.answer_payload(row)


def delete_answer(answer_id):
    with db.transaction():
        current = knowledge_db.get_answer(answer_id)
        if current is None:
            raise ClientError("not_found", "No such answer.")
        knowledge_db.update_answer(answer_id, deleted_at=utcnow())
        if current["status"] == "approved":
            _assistant_knowledge_changed()
        broadcast.knowledge_changed(answers())


def _assistant_knowledge_changed():
    settings_db.set_setting(KNOWLEDGE_VERSION_KEY, uuid.uuid4().hex)


def knowledge_gaps():
    """The questions that led to escalation, grouped by similarity, biggest group first."""
    groups = []
    for item in analytics_db.escalated_questions():
        words = set(stems(item["question"]))
        for group in groups:
            union = words | group["words"]
            if union and len(words & group["words"]) / len(union) >= 0.5:
                group["items"].append(item)
                break
        else:
            groups.append({"words": words, "items": [item]})
    groups.sort(key=lambda g: -len(g["items"]))
    return [{"question": g["items"][0]["question"], "count": len(g["items"]),
             "examples": list(dict.fromkeys(i["question"] for i in g["items"]))[:3],
             "chat_ids": [i["chat_id"] for i in g["items"][:10]]} for g in groups[:50]]
