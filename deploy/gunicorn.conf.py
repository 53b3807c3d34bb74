"""gunicorn settings for inBuild: `gunicorn -c deploy/gunicorn.conf.py "app:create_app()"`."""
import multiprocessing
import os

bind = os.environ.get("INBUILD_BIND", "127.0.0.1:8000")  # the reverse proxy in front terminates TLS
workers = int(os.environ.get("INBUILD_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("INBUILD_THREADS", 4))  # pages wait on Intuit; threads keep a worker responsive
worker_class = "gthread"
timeout = 60  # longer than INTUIT_HTTP_TIMEOUT x 3, the longest a request waits for a token refresh
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("INBUILD_PROXY_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# One JSON object per request; query strings are left out, so an OAuth code or state never reaches the log.
access_log_format = ('{"event": "request", "remote": "%({x-forwarded-for}i)s", "method": "%(m)s", '
                     '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}')
