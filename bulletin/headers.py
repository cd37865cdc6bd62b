"""What every answer carries, whatever route gave it: HEAD for every GET, and the security headers.

The site runs no script at all, so its Content-Security-Policy forbids scripts outright, and framing too.
"""

from __future__ import annotations

import falcon

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class HeadAndSecurity:
    """HEAD is answered by the GET responder, without the body; every response gets the security headers."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.head = req.method == "HEAD"
        if req.context.head:
            req.method = "GET"  # routed to on_get; put back below, so that Falcon sends no body

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        if getattr(req.context, "head", False):
            req.method = "HEAD"
            if resp.stream is not None:  # a static file opened for GET: its length is set, its bytes not sent
                resp.stream.close()
                resp.stream = None
        for name, value in SECURITY_HEADERS.items():
            resp.set_header(name, value)
