"""Advisor sign-in: accounts, sessions, the sign-in page and the create-admin command."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from havana.auth import routes  # noqa: E402,F401
