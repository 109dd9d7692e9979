"""Pages opened from links in mails: manage a booked call; reopen a chat in any browser."""
from flask import Blueprint

bp = Blueprint("mail", __name__)
