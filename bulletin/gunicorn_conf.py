"""gunicorn settings for `bulletin serve` (the command line overrides bind and workers).

preload_app loads the app, and so jieba's dictionary, once in the master before
the workers fork; each worker opens the index itself on its first request,
because an index opened in the master would be shared badly across forks.
"""

import os

bind = "127.0.0.1:8000"
# One worker per core: search is CPU-bound Python, so one process cannot use more than one core.
workers = os.cpu_count() or 1
# Threads, so one slow client or an admin reindex does not hold a whole worker, and a reindex longer than
# `timeout` does not get its worker killed (a sync worker would be); each thread has its own Whoosh searcher.
# Measured against sync workers (2 workers, 4 clients, 620 articles): 207 and 196 searches/s against 226 and
# 182, no difference beyond the noise.
# gunicorn's threaded worker, answering what gunicorn itself refuses in our JSON or our Chinese page.
worker_class = "bulletin.worker.Worker"
threads = 4
preload_app = True
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# A pasted paragraph of 2,000 characters is about 18 KB in the URL, past gunicorn's 8,190-byte maximum:
# 0 lifts gunicorn's limit, the worker bounds the line at 64 KB (worker.MAX_REQUEST_LINE), and the app
# answers past its own 32 KB (errors.MAX_URI_BYTES).
limit_request_line = 0
# One header may be as long as the app's longest address (a Referer) plus the scheme and host; the app
# answers past 64 KB of headers in all (errors.MAX_HEADER_BYTES). A browser sends about 20 fields; 50 keeps
# what gunicorn buffers for a head (fields × field size) near 2.4 MB.
limit_request_field_size = 48 * 1024
limit_request_fields = 50
