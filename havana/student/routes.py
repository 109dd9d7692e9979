"""The student chat page, and the earlier messages of a long chat."""
from flask import jsonify, render_template, request
from flask_babel import gettext

import db
from havana.actions import chats
from havana.actions.models import active_model
from havana.admin.rest import before_id
from havana.errors import UNAVAILABLE, ClientError
from havana.extensions import limiter
from havana.runtime import runtime
from havana.student import bp


@bp.get("/")
def index():
    try:
        model = active_model()
    except db.DatabaseUnavailable:
        # The page still loads: its socket is answered `unavailable` and retries until the database is back.
        model = runtime.chatbot.default_model
    provider = runtime.chatbot.providers[model]
    return render_template("student.html", max_message_length=runtime.config.MAX_MESSAGE_LENGTH,
                           assistant_label=gettext(provider.label))


@bp.get("/chats/<chat_id>/messages")
@limiter.limit("120 per minute")
def earlier_messages(chat_id):
    """Scrolling back: the page of messages before `?before_id=N`; the chat's token in `X-Chat-Token`."""
    try:
        return jsonify(ok=True, **chats.earlier_messages(chat_id, request.headers.get("X-Chat-Token"), before_id()))
    except ClientError as exc:
        status = {"chat_not_found": 404, "forbidden": 403}.get(exc.code, 400)
        return jsonify(ok=False, error=exc.as_dict()), status
    except db.DatabaseUnavailable:
        return jsonify(ok=False, error=dict(zip(("code", "message"), UNAVAILABLE))), 503
