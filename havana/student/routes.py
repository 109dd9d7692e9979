"""The student chat page."""
from flask import render_template

import db
from havana.actions.models import active_model
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
                           assistant_label=provider.label)
