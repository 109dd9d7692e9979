"""Analytics from stored data, knowledge gaps, and the reviewed store of advisors' answers."""
import math
import uuid
from collections import Counter
from datetime import timedelta

from assistant.knowledge import tokenize
from db import analytics as analytics_db, knowledge as knowledge_db, settings as settings_db, utcnow
from havana import protocol as p
from havana.errors import ClientError
from havana.extensions import socketio
from havana.services.answering import KNOWLEDGE_VERSION_KEY
from havana.services.base import ServiceBase

NOT_COVERED = "Not covered by the knowledge base"


def percentile(values, share):
    """Nearest-rank percentile of a list (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class InsightServices(ServiceBase):
    def analytics(self, days=14):
        """The analytics page's figures for the last `days` days."""
        now = utcnow()
        since = now - timedelta(days=days)
        chats = analytics_db.chats_since(since)
        per_day = Counter(c["created_at"].date().isoformat() for c in chats)
        escalated = [c for c in chats if c["escalated_at"]]
        waits = [(c["first_human_reply_at"] - c["escalated_at"]).total_seconds()
                 for c in escalated if c["first_human_reply_at"]]
        made, cancelled = analytics_db.bookings_since(since)
        ratings = [c["rating"] for c in chats if c["rating"]]
        return {
            "days": days,
            "chats_per_day": [{"date": (since + timedelta(days=i + 1)).date().isoformat(),
                               "chats": per_day.get((since + timedelta(days=i + 1)).date().isoformat(), 0)}
                              for i in range(days)],
            "chats": len(chats),
            "resolved_by_ai": len(chats) - len(escalated),
            "escalated": len(escalated),
            "escalated_share": round(len(escalated) / len(chats), 3) if chats else None,
            "first_human_reply_seconds": {"median": percentile(waits, 0.5), "p90": percentile(waits, 0.9),
                                          "count": len(waits)},
            "bookings": {"made": made, "cancelled": cancelled},
            "models": self._model_figures(since),
            "top_escalation_reasons": [{"reason": r, "count": n} for r, n in Counter(
                NOT_COVERED if (c["escalation_reason"] or "").startswith(NOT_COVERED) else c["escalation_reason"]
                for c in escalated).most_common(8)],
            "ratings": {"count": len(ratings),
                        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
                        "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
                        "comments": [c["rating_comment"] for c in sorted(
                            (c for c in chats if c["rating_comment"]), key=lambda c: c["closed_at"] or c["created_at"])][-5:]},
        }

    @staticmethod
    def _model_figures(since):
        calls = analytics_db.model_calls_since(since)
        replies = analytics_db.replies_per_model_since(since)
        figures = {}
        for model in sorted({c.model for c in calls} | set(replies)):
            mine = [c for c in calls if c.model == model]
            latencies = [c.latency_ms for c in mine if c.ok]
            errors = sum(1 for c in mine if not c.ok)
            figures[model] = {"label": p.model_label(model), "replies": replies.get(model, 0), "calls": len(mine),
                              "errors": errors, "error_rate": round(errors / len(mine), 3) if mine else None,
                              "latency_ms_p50": percentile(latencies, 0.5), "latency_ms_p90": percentile(latencies, 0.9)}
        return figures

    # -- learning from advisors ---------------------------------------------------------

    def knowledge_gaps(self):
        """The questions that led to escalation, grouped by similarity, biggest group first."""
        groups = []
        for item in analytics_db.escalated_questions():
            words = set(tokenize(item["question"]))
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

    def save_answer(self, question, answer, admin, source_message_id=None):
        """An advisor saves a question and answer for review (pending until approved)."""
        row = knowledge_db.add_answer(self._clean(question), self._clean(answer), admin.id, source_message_id)
        self._emit_knowledge()
        return p.answer_payload(row)

    def review_answer(self, answer_id, question=None, answer=None, status=None):
        """Edit or approve an answer; approved answers reach the assistant everywhere on the next question."""
        current = knowledge_db.get_answer(answer_id)
        if current is None:
            raise ClientError("not_found", "No such answer.")
        values = {}
        if question is not None:
            values["question"] = self._clean(question)
        if answer is not None:
            values["answer"] = self._clean(answer)
        if status is not None:
            if status not in knowledge_db.STATUSES:
                raise ClientError("invalid_payload", "status must be pending or approved.")
            values["status"] = status
        row = knowledge_db.update_answer(answer_id, **values) if values else current
        if "approved" in (current["status"], row["status"]):
            self._knowledge_changed()
        self._emit_knowledge()
        return p.answer_payload(row)

    def delete_answer(self, answer_id):
        current = knowledge_db.get_answer(answer_id)
        if current is None:
            raise ClientError("not_found", "No such answer.")
        knowledge_db.update_answer(answer_id, deleted_at=utcnow())
        if current["status"] == "approved":
            self._knowledge_changed()
        self._emit_knowledge()

    def answers(self, status=None):
        return [p.answer_payload(r) for r in knowledge_db.list_answers(status)]

    @staticmethod
    def _knowledge_changed():
        # A new version tells every process to reload approved answers before its next reply.
        settings_db.set_setting(KNOWLEDGE_VERSION_KEY, uuid.uuid4().hex)

    def _emit_knowledge(self):
        socketio.emit(p.KNOWLEDGE_CHANGED, {"answers": self.answers()}, to=p.ADMINS_ROOM)
