"""The HTTP service: Falcon JSON resources, the app factory and the gunicorn runner."""

from .app import create_app, get_app, settings_from_env
from .resources import Settings

__all__ = ["Settings", "create_app", "get_app", "settings_from_env"]
