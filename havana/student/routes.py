"""The student chat page."""
from flask import current_app, render_template

from havana.student import bp


@bp.get("/")
def index():
    services = current_app.extensions["havana"]
    provider = services.chatbot.providers[services.active_model()]
    return render_template("student.html", max_message_length=services.config.MAX_MESSAGE_LENGTH,
                           assistant_label=provider.label)
