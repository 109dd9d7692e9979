"""The analytics page's figures, computed from stored data (they survive restarts)."""
import math
from collections import Counter
from datetime import timedelta

from db import analytics as analytics_db, outbox, utcnow
from db.schema import OUTCOME_ATTENDED, OUTCOME_NO_SHOW
from havana import protocol as p

NOT_COVERED = "Not covered by the knowledge base"


def percentile(values, share):
    """Nearest-rank percentile of a list (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def analytics(days=14):
    """The analytics page's figures for the last `days` days."""
    now = utcnow()
    since = now - timedelta(days=days)
    chats = analytics_db.chats_since(since)
    per_day = Counter(c["created_at"].date().isoformat() for c in chats)
    escalated = [c for c in chats if c["escalated_at"]]
    waits = [(c["first_human_reply_at"] - c["escalated_at"]).total_seconds()
             for c in escalated if c["first_human_reply_at"]]
    made, cancelled = analytics_db.bookings_since(since)
    outcomes = analytics_db.call_outcomes_since(since)
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
        "bookings": {"made": made, "cancelled": cancelled,
                     "attended": outcomes.get(OUTCOME_ATTENDED, 0), "no_show": outcomes.get(OUTCOME_NO_SHOW, 0)},
        "mails": outbox.counts_since(since),
        "models": _model_figures(since),
        "top_escalation_reasons": [{"reason": r, "count": n} for r, n in Counter(
            NOT_COVERED if (c["escalation_reason"] or "").startswith(NOT_COVERED) else c["escalation_reason"]
            for c in escalated).most_common(8)],
        "ratings": {"count": len(ratings),
                    "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
                    "distribution": {str(n): ratings.count(n) for n in range(1, 6)},
                    "comments": [c["rating_comment"] for c in sorted(
                        (c for c in chats if c["rating_comment"]), key=lambda c: c["closed_at"] or c["created_at"])][-5:]},
    }


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
