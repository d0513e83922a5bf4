"""Gunicorn settings of `make bench` (scripts/bench.py), for the app and the bare view alike.

The production file (gunicorn.conf.py) writes an access log, which would be timed too; the
bench passes the address with --bind.
"""

workers = 2
worker_class = "sync"
accesslog = None
errorlog = "-"
loglevel = "warning"
forwarded_allow_ips = "127.0.0.1"
