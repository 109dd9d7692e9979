"""The WSGI entry point for gunicorn (see gunicorn.conf.py and README "Running in production")."""
from app import create_app

app = create_app()
