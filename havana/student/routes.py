"""The student chat page."""
from flask import render_template
from flask_babel import gettext

from havana.actions.models import active_model
from havana.runtime import runtime
from havana.student import bp


@bp.get("/")
def index():
    provider = runtime.chatbot.providers[active_model()]
    return render_template("student.html", max_message_length=runtime.config.MAX_MESSAGE_LENGTH,
                           assistant_label=gettext(provider.label))
