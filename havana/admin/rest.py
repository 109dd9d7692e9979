"""REST API for advisors (JSON; admin session required; CSRF token on writes).

Bodies and query strings are validated by the strict models the socket events use (havana/payloads.py).
"""
from flask import jsonify, request
from werkzeug.routing import IntegerConverter

from havana.actions import analytics as analytics_actions, bookings, canned, chats, knowledge, models
from havana.actions.desk import chat_detail, dashboard
from havana.admin import api
from havana.admin.access import require_admin
from havana.auth.accounts import set_display_name
from havana.errors import ClientError, invalid_payload
from havana.extensions import csrf
from havana.payloads import (AnalyticsQuery, AnswerReview, AnswersQuery, BookingsQuery, CallOutcome, Canned,
                             ChatListQuery, DisplayName, ModelChoice, NewAnswer, SlotIds, parse, parse_query)

# Ids are signed 64-bit integers: a larger one in a path names nothing (404), in a body is refused (400).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id. Longer numbers fail the pattern, so every method answers 404 (a range
    check in to_python would make werkzeug answer 405 for some methods)."""

    regex = r"\d{1,18}"

STATUS_CODES = {"forbidden": 401, "chat_not_found": 404, "not_found": 404, "not_configured": 409,
                "duplicate": 409, "taken": 409, "too_early": 409}


@api.before_request
def signed_in_admins_only():
    """Sign-in first (401), then the CSRF token on writes (403)."""
    require_admin()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@api.errorhandler(ClientError)
def client_error(exc):
    return jsonify(ok=False, error=exc.as_dict()), STATUS_CODES.get(exc.code, 400)


def _body(model):
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        raise invalid_payload("The body is nested too deeply.") from None
    _refuse_unstorable(data)
    return parse(model, data)


def _refuse_unstorable(data):
    """Lone surrogates (not UTF-8) and integers past 64 bits are refused before any model sees them."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise invalid_payload("The body contains text that is not valid Unicode.") from None
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
            raise invalid_payload("The body contains a number out of range.")


@api.get("/chats")
def list_chats():
    query = parse_query(ChatListQuery, request.args)
    return jsonify(ok=True, **dashboard(query.status, query.escalated, query.limit, query.offset))


@api.get("/chats/<chat_id>")
def get_chat(chat_id):
    """The chat and its latest messages; `?before_id=N`: the page before message N (scrolling back)."""
    return jsonify(ok=True, **chat_detail(chat_id, before_id()))


def before_id():
    """The `before_id` query parameter: a message id, or None."""
    value = request.args.get("before_id")
    if value is None:
        return None
    if not value.isdecimal() or not 0 < int(value) <= MAX_ID:
        raise invalid_payload("Invalid field 'before_id': a message id.")
    return int(value)


@api.post("/chats/<chat_id>/close")
def close_chat(chat_id):
    return jsonify(ok=True, **chats.close_chat(chat_id, require_admin()))


@api.post("/chats/<chat_id>/reopen")
def reopen_chat(chat_id):
    return jsonify(ok=True, **chats.reopen_chat(chat_id, require_admin()))


@api.get("/model")
def get_model():
    return jsonify(ok=True, **models.model_state())


@api.post("/model")
def switch_model():
    return jsonify(ok=True, **models.switch_model(_body(ModelChoice).model))


@api.get("/bookings")
def list_bookings():
    mine = parse_query(BookingsQuery, request.args).mine
    return jsonify(ok=True, slots=bookings.slots_overview(require_admin() if mine else None))


@api.post("/bookings/cancel")
def cancel_bookings():
    return jsonify(ok=True, cancelled=bookings.cancel_bookings(_body(SlotIds).slot_ids))


@api.post("/bookings/<id:slot_id>/claim")
def claim_call(slot_id):
    return jsonify(ok=True, call=bookings.claim_call(slot_id, require_admin()))


@api.post("/bookings/<id:slot_id>/outcome")
def call_outcome(slot_id):
    return jsonify(ok=True, call=bookings.set_call_outcome(slot_id, _body(CallOutcome).outcome))


@api.post("/bookings/<id:slot_id>/cancel")
def cancel_booking(slot_id):
    return jsonify(ok=True, booking=bookings.cancel_booking(slot_id))


@api.get("/analytics")
def analytics():
    return jsonify(ok=True, **analytics_actions.analytics(parse_query(AnalyticsQuery, request.args).days))


@api.get("/knowledge")
def list_answers():
    return jsonify(ok=True, answers=knowledge.answers(parse_query(AnswersQuery, request.args).status))


@api.get("/knowledge/gaps")
def knowledge_gaps():
    return jsonify(ok=True, gaps=knowledge.knowledge_gaps())


@api.post("/knowledge")
def save_answer():
    body = _body(NewAnswer)
    answer = knowledge.save_answer(body.question, body.answer, require_admin(), body.source_message_id)
    return jsonify(ok=True, answer=answer), 201


@api.patch("/knowledge/<id:answer_id>")
def review_answer(answer_id):
    body = _body(AnswerReview)
    return jsonify(ok=True, answer=knowledge.review_answer(answer_id, body.question, body.answer, body.status))


@api.delete("/knowledge/<id:answer_id>")
def delete_answer(answer_id):
    knowledge.delete_answer(answer_id)
    return jsonify(ok=True)


@api.get("/canned")
def list_canned():
    return jsonify(ok=True, canned=canned.canned_responses())


@api.post("/canned")
def create_canned():
    body = _body(Canned)
    return jsonify(ok=True, canned=canned.save_canned(body.shortcut, body.text)), 201


@api.put("/canned/<id:canned_id>")
def update_canned(canned_id):
    body = _body(Canned)
    return jsonify(ok=True, canned=canned.save_canned(body.shortcut, body.text, canned_id))


@api.delete("/canned/<id:canned_id>")
def delete_canned(canned_id):
    canned.delete_canned(canned_id)
    return jsonify(ok=True)


@api.put("/account/display-name")
def change_display_name():
    """What students see as the author of this advisor's messages."""
    admin = require_admin()
    return jsonify(ok=True, display_name=set_display_name(admin.id, _body(DisplayName).display_name))
