"""gunicorn settings: one gevent worker per process; run several processes behind a load balancer.

    gunicorn -c gunicorn.conf.py wsgi:app

Socket.IO keeps per-connection state in the worker, so each process has exactly one worker
and the load balancer pins a client to a process (deploy/nginx.conf); Redis (REDIS_URL)
carries events between processes.
"""
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '3000')}"
workers = 1
# gevent + WebSockets, with read/write timeouts and a per-address connection cap (havana/serving.py).
worker_class = "havana.serving.Worker"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
# SIGTERM: stop accepting, then give in-flight AI replies this long to finish.
graceful_timeout = int(float(os.environ.get("SHUTDOWN_GRACE", "20"))) + 5
timeout = 60
accesslog = "-" if os.environ.get("ACCESS_LOG", "").lower() in ("1", "true", "yes") else None
preload_app = False  # the worker must monkey-patch before the app is imported


def worker_int(worker):
    _drain(worker)


def worker_exit(server, worker):
    _drain(worker)


def _drain(worker):
    """Let AI replies that are still being generated finish before the worker goes."""
    from havana.runtime import runtime

    if runtime.replies is not None:
        runtime.replies.wait(runtime.config.SHUTDOWN_GRACE)
