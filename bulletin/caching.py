"""ETag and Cache-Control for GET responses, keyed by the index generation.

Every GET answer depends only on the URL and the live index, so the
generation's name is a valid strong validator: after a reindex or ingest it
changes and clients fetch afresh; until then a conditional GET costs a 304.
"""

from __future__ import annotations

import falcon

from indexer import SearchService

_UNCACHED = ("/healthz", "/static/", "/admin")  # admin pages change without a new generation


class GenerationETag:
    def __init__(self, service: SearchService):
        self.service = service

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.etag = None
        if req.method not in ("GET", "HEAD") or req.path.startswith(_UNCACHED):
            return
        generation = self.service.generation_name()
        if generation is None:
            return
        etag = falcon.ETag(generation)
        req.context.etag = etag
        if req.if_none_match and any(tag == etag or tag == "*" for tag in req.if_none_match):
            resp.status = falcon.HTTP_304
            resp.etag = etag
            resp.cache_control = ["no-cache"]
            resp.complete = True

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        etag = getattr(req.context, "etag", None)
        if etag is not None and req_succeeded and resp.status in (falcon.HTTP_200, 200):
            resp.etag = etag
            resp.cache_control = ["no-cache"]
