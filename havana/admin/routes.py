"""The dashboard page."""
from flask import render_template
from flask_login import current_user, login_required

from havana.admin import bp
from havana.runtime import runtime


@bp.get("/admin/analytics")
@login_required
def analytics():
    return render_template("analytics.html", username=current_user.username)


@bp.get("/admin")
@login_required
def dashboard():
    return render_template("admin.html", username=current_user.username,
                           max_message_length=runtime.config.MAX_MESSAGE_LENGTH)
