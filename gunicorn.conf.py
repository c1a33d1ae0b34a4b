"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Workers from the CPU count (2 x cores + 1, at most 9); every value can be
overridden on the command line or with GUNICORN_CMD_ARGS.
"""
import multiprocessing

bind = "127.0.0.1:8000"
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
threads = 2
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests (a guard against slow leaks). At 5,000 a worker restarted every few
# seconds under the benchmark's load and its keep-alive connections piled onto another worker; at 100,000 that is
# minutes apart at the peak this machine serves, and the guard stays.
max_requests = 100000
max_requests_jitter = 10000
# The portal writes its own JSON request log (with request id); gunicorn's access log would
# repeat it and would contain query strings (OIDC codes and states).
accesslog = None
errorlog = "-"
loglevel = "info"
forwarded_allow_ips = "127.0.0.1"


def post_worker_init(worker):
    """Before a worker takes requests: compile every page template (the first request to each worker
    would otherwise pay for it), then freeze the objects loaded so far so that garbage collections
    scan only what requests allocate."""
    import gc

    app = worker.wsgi
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    gc.freeze()
