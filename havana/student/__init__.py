"""The student's chat: page and socket events."""
from flask import Blueprint

bp = Blueprint("student", __name__)

from havana.student import events, routes  # noqa: E402,F401  (registers handlers)
