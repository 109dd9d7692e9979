"""REST API for advisors (JSON; admin session required; CSRF token on writes)."""
from flask import current_app, jsonify, request

from havana.admin import api
from havana.admin.access import require_admin
from havana.errors import ClientError, invalid_payload
from havana.extensions import csrf

STATUS_CODES = {"forbidden": 401, "chat_not_found": 404, "not_found": 404, "not_configured": 409,
                "duplicate": 409, "taken": 409}


def _services():
    return current_app.extensions["havana"]


@api.before_request
def signed_in_admins_only():
    """Sign-in first (401), then the CSRF token on writes (403)."""
    require_admin()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@api.errorhandler(ClientError)
def client_error(exc):
    return jsonify(ok=False, error=exc.as_dict()), STATUS_CODES.get(exc.code, 400)


def _int_arg(name, default, low, high):
    raw = request.args.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid_payload(f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise invalid_payload(f"{name} must be between {low} and {high}.")
    return value


@api.get("/chats")
def list_chats():
    status = request.args.get("status") or None
    if status not in (None, "ai", "waiting_human", "human", "closed"):
        raise invalid_payload("status must be one of ai, waiting_human, human, closed.")
    escalated = request.args.get("escalated")
    if escalated not in (None, "true", "false", "1", "0"):
        raise invalid_payload("escalated must be true or false.")
    return jsonify(ok=True, **_services().dashboard(
        status, None if escalated is None else escalated in ("true", "1"),
        _int_arg("limit", 50, 1, 200), _int_arg("offset", 0, 0, 10**9)))


@api.get("/chats/<chat_id>")
def get_chat(chat_id):
    return jsonify(ok=True, **_services().chat_detail(chat_id))


@api.get("/model")
def get_model():
    return jsonify(ok=True, **_services().model_state())


@api.post("/model")
def set_model():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise invalid_payload('Send JSON like {"model": "openai" | "gemini" | "local"}.')
    return jsonify(ok=True, **_services().set_active_model(body["model"]))


@api.get("/bookings")
def list_bookings():
    return jsonify(ok=True, slots=_services().slots_overview())


@api.post("/bookings/<int:slot_id>/cancel")
def cancel_booking(slot_id):
    return jsonify(ok=True, booking=_services().cancel_booking(slot_id))


def _json_body(*required):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise invalid_payload("Send a JSON object.")
    for name in required:
        if not isinstance(body.get(name), str):
            raise invalid_payload(f"{name} must be text.")
    return body


def _optional_text(body, name):
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_payload(f"{name} must be text.")
    return value


@api.post("/chats/<chat_id>/close")
def close_chat(chat_id):
    return jsonify(ok=True, **_services().close_chat(chat_id, require_admin()))


@api.post("/chats/<chat_id>/reopen")
def reopen_chat(chat_id):
    return jsonify(ok=True, **_services().reopen_chat(chat_id, require_admin()))


@api.get("/analytics")
def analytics():
    return jsonify(ok=True, **_services().analytics(_int_arg("days", 14, 1, 365)))


@api.get("/knowledge")
def list_answers():
    status = request.args.get("status") or None
    if status not in (None, "pending", "approved"):
        raise invalid_payload("status must be pending or approved.")
    return jsonify(ok=True, answers=_services().answers(status))


@api.get("/knowledge/gaps")
def knowledge_gaps():
    return jsonify(ok=True, gaps=_services().knowledge_gaps())


@api.post("/knowledge")
def save_answer():
    body = _json_body("question", "answer")
    source = body.get("source_message_id")
    if source is not None and (not isinstance(source, int) or isinstance(source, bool)):
        raise invalid_payload("source_message_id must be a number.")
    answer = _services().save_answer(body["question"], body["answer"], require_admin(), source)
    return jsonify(ok=True, answer=answer), 201


@api.patch("/knowledge/<int:answer_id>")
def review_answer(answer_id):
    body = _json_body()
    answer = _services().review_answer(answer_id, _optional_text(body, "question"), _optional_text(body, "answer"),
                                       _optional_text(body, "status"))
    return jsonify(ok=True, answer=answer)


@api.delete("/knowledge/<int:answer_id>")
def delete_answer(answer_id):
    _services().delete_answer(answer_id)
    return jsonify(ok=True)


@api.get("/canned")
def list_canned():
    return jsonify(ok=True, canned=_services().desk_canned())


@api.post("/canned")
def create_canned():
    body = _json_body("shortcut", "text")
    return jsonify(ok=True, canned=_services().save_canned(body["shortcut"], body["text"])), 201


@api.put("/canned/<int:canned_id>")
def update_canned(canned_id):
    body = _json_body("shortcut", "text")
    return jsonify(ok=True, canned=_services().save_canned(body["shortcut"], body["text"], canned_id))


@api.delete("/canned/<int:canned_id>")
def delete_canned(canned_id):
    _services().delete_canned(canned_id)
    return jsonify(ok=True)
