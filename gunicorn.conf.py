"""Production web server settings: `gunicorn -c gunicorn.conf.py zhengfa.wsgi`.

The access log leaves out the client address (%(h)s): citizens report and follow their
requests anonymously, and no address of theirs may be written anywhere.
"""

bind = "127.0.0.1:8000"
workers = 4
accesslog = "-"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = "127.0.0.1"
