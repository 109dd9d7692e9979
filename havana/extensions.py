"""Flask extensions, created once and attached in create_app()."""
from flask_socketio import SocketIO

socketio = SocketIO()
