"""Addresses, decided once per request: the one readers reach the site on, for every permalink and citation
(``req.context.base``), and the client's, for the audit trail and the guard against guessing
(``req.context.client``).

Behind a proxy the request arrives on an inner address (``http://127.0.0.1:8000``); BULLETIN_PUBLIC_URL
names the one staff paste into reports. The client is the peer, unless the peer is this machine (a proxy in
front, as ``docs/deploy.md`` sets nginx up), whose X-Forwarded-For's last entry (the one it added) is taken;
from anyone else the header is ignored, so a client cannot choose the address its failures count against.
"""

from __future__ import annotations

import ipaddress

import falcon


class PublicAddress:
    def __init__(self, public_url: str | None):
        self.public_url = public_url

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.base = self.public_url or req.prefix
        req.context.client = client_address(req.remote_addr, req.get_header("X-Forwarded-For"))


def client_address(peer: str | None, forwarded: str | None) -> str | None:
    if not (peer and forwarded and _loopback(peer)):
        return peer
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
