"""Run the app under gunicorn with the settings of ``bulletin.gunicorn_conf``."""

from __future__ import annotations

from typing import Any

import falcon
from gunicorn.app.base import BaseApplication

from . import gunicorn_conf


class Server(BaseApplication):
    def __init__(self, app: falcon.App, overrides: dict[str, Any]):
        self.application = app
        self.overrides = overrides
        super().__init__()

    def load_config(self) -> None:
        settings = {k: v for k, v in vars(gunicorn_conf).items() if not k.startswith("_") and k.islower()}
        # An option left unset on the command line (None) keeps the configured value.
        settings.update({k: v for k, v in self.overrides.items() if v is not None})
        for key, value in settings.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> falcon.App:
        return self.application


def run(app: falcon.App, host: str, port: int, workers: int | None = None) -> None:
    Server(app, {"bind": f"{host}:{port}", "workers": workers}).run()
