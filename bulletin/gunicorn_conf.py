"""gunicorn settings for `bulletin serve` (the command line overrides bind and workers).

preload_app loads the app, and so what searches read into memory (the live generation's texts, columns and
words; the dictionaries, thesaurus and shape tables), once in the master before the workers fork; each
worker opens its own Whoosh searchers on its first request, because a file opened in the master would be
shared badly across forks (the pair postings and the articles are read with pread, which is safe).
"""

import gc
import os

bind = "127.0.0.1:8000"
# One worker per core: search is CPU-bound Python, so one process cannot use more than one core.
workers = os.cpu_count() or 1
# One request at a time a worker (search is CPU-bound Python under one GIL a process), but every connection
# read and written without waiting on it (``bulletin.worker``): a slow or idle client holds a connection,
# never the worker. A handler that never returns stops the worker's heartbeat and the master replaces it
# after ``timeout``.
worker_class = "bulletin.worker.Worker"
preload_app = True


def when_ready(server: object) -> None:
    # What the master loaded is never collected: kept out of the collector, so that its passes in the workers
    # do not touch (and so copy) the pages they share with the master.
    gc.freeze()


# No control socket: gunicorn's default is one path for every server of the user, so stopping one server
# would delete another's; nothing here uses gunicornc.
control_socket_disable = True
timeout = 60
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# The same lines, with only these fields worked out for each request (``bulletin.accesslog``).
logger_class = "bulletin.accesslog.Logger"
# A pasted paragraph of 2,000 characters is about 18 KB in the URL, past gunicorn's 8,190-byte maximum:
# 0 lifts gunicorn's limit, the worker bounds the line at 64 KB (worker.MAX_REQUEST_LINE), and the app
# answers past its own 32 KB (errors.MAX_URI_BYTES).
limit_request_line = 0
# One header may be as long as the app's longest address (a Referer) plus the scheme and host; the app
# answers past 64 KB of headers in all (errors.MAX_HEADER_BYTES). A browser sends about 20 fields; 50 keeps
# what gunicorn buffers for a head (fields × field size) near 2.4 MB.
limit_request_field_size = 48 * 1024
limit_request_fields = 50
