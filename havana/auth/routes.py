"""Sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from havana.auth import bp
from havana.auth.accounts import authenticate, sign_out_everywhere
from havana.extensions import limiter


class SignInForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


def _failed_sign_in(response):
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
# Only failed attempts count, per client address and per account name.
@limiter.limit("5 per minute; 20 per hour", methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit("10 per minute", methods=["POST"], deduct_when=_failed_sign_in,
               key_func=lambda: "account:" + (request.form.get("username") or "").strip().lower())
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        admin = authenticate(form.username.data.strip(), form.password.data)
        if admin:
            login_user(admin)
            return redirect(_safe_next(request.args.get("next")))
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
