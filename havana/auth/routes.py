"""Sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from havana.auth import bp
from havana.auth.accounts import (TooManyFailures, authenticate, known_device_admin, remember_device,
                                  sign_out_everywhere)
from havana.extensions import limiter
from havana.runtime import runtime


class SignInForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


def _failed_sign_in(response):
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count, per client address. Per account, accounts.authenticate makes each
# failure past the first few cost a growing wait, except on a device the advisor signed in on before.
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], deduct_when=_failed_sign_in)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            admin = authenticate(form.username.data, form.password.data, known_device_admin(request.cookies))
        except TooManyFailures as exc:
            error = gettext("Too many failed sign-ins for this account. Try again in %(seconds)s seconds, "
                            "or from a device you have signed in on before.", seconds=exc.wait)
            return render_template("login.html", form=form, error=error), 429
        if admin:
            login_user(admin)
            response = redirect(_safe_next(request.args.get("next")))
            remember_device(response, admin.id, secure=runtime.config.is_production)
            return response
        return render_template("login.html", form=form, error=gettext("Wrong username or password.")), 401
    return render_template("login.html", form=form, error=None), 400 if form.errors else 200


def _safe_next(target):
    """Only same-site paths: never redirect a signed-in advisor to another host."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("admin.dashboard")


@bp.post("/logout")
@login_required
def logout():
    sign_out_everywhere(current_user.id)
    logout_user()
    return redirect(url_for("auth.login"))
