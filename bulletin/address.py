"""The address readers reach the site on, decided once per request for every permalink and citation.

Behind a proxy the request arrives on an inner address (``http://127.0.0.1:8000``); BULLETIN_PUBLIC_URL
names the one staff paste into reports. Pages and JSON read ``req.context.base`` and never decide it.
"""

from __future__ import annotations

import falcon


class PublicAddress:
    def __init__(self, public_url: str | None):
        self.public_url = public_url

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.base = self.public_url or req.prefix
