"""Failpoints: deterministic crashes for the reliability tests.

``BULLETIN_FAULTPOINT=<name>`` makes the process SIGKILL itself when a build
reaches the checkpoint of that name (after ``BULLETIN_FAULT_DELAY`` seconds,
if set, so that it dies in the middle of the step that follows). Unset, a
checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "BULLETIN_FAULTPOINT"


def checkpoint(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    delay = float(os.environ.get("BULLETIN_FAULT_DELAY") or 0)
    if delay <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGKILL))
    timer.daemon = True
    timer.start()
