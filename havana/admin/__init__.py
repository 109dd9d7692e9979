"""The advisors' desk: dashboard page, admin socket events and the REST API."""
from flask import Blueprint

bp = Blueprint("admin", __name__)
api = Blueprint("api", __name__, url_prefix="/api")

from havana.admin import events, rest, routes  # noqa: E402,F401
