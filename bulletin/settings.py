"""Settings, read once: from the command line, else the environment, else the defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "var/index"
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
# The environment variable behind each setting (the CLI's options name the same ones).
ENV = {
    "corpus_dir": "BULLETIN_CORPUS",
    "index_dir": "BULLETIN_INDEX",
    "data_dir": "BULLETIN_DATA",
    "admin_token": "BULLETIN_ADMIN_TOKEN",
    "max_upload": "BULLETIN_MAX_UPLOAD",
    "public_url": "BULLETIN_PUBLIC_URL",
}


def data_beside(index_dir: Path) -> Path:
    """The data folder when none is named: beside the index (./var/data), so a command given another index never
    writes into the working folder's."""
    return index_dir.parent / "data"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path(DEFAULT_CORPUS)
    index_dir: Path = Path(DEFAULT_INDEX)
    admin_token: str | None = None  # unset: admin writes are off
    max_upload: int = DEFAULT_MAX_UPLOAD
    public_url: str | None = None  # the address readers use (behind a proxy); unset: the request's own
    data_dir: Path = Path("var/data")  # the vocabulary, the accounts, the audit log, pending uploads

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: Any) -> Settings:
        """Settings from ``given`` (the command line), else the environment, else the defaults."""
        environ = os.environ if environ is None else environ

        def pick(name: str) -> Any:
            value = given.get(name)
            return value if value is not None else environ.get(ENV[name]) or None

        upload = pick("max_upload")
        try:
            max_upload = int(upload) if upload is not None else DEFAULT_MAX_UPLOAD
        except ValueError:
            raise ValueError(f"BULLETIN_MAX_UPLOAD 应为字节数（整数），而不是“{upload}”。") from None
        public_url = pick("public_url")
        if public_url is not None and not re.match(r"^https?://[^/\s]+(/\S*)?$", public_url):
            raise ValueError(
                f"BULLETIN_PUBLIC_URL 应为读者访问本站的地址，如 https://kjxx.example.gov.cn，而不是“{public_url}”。"
            )
        index_dir = Path(pick("index_dir") or DEFAULT_INDEX)
        return cls(
            corpus_dir=Path(pick("corpus_dir") or DEFAULT_CORPUS),
            index_dir=index_dir,
            admin_token=pick("admin_token"),
            max_upload=max_upload,
            public_url=public_url.rstrip("/") if public_url else None,
            data_dir=Path(pick("data_dir") or data_beside(index_dir)),
        )
