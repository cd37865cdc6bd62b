"""The admin session's cookie and its forms' CSRF tokens, signed with itsdangerous under the site's key.

The cookie carries only a session's id; what the session is (who, which role, how long it has been idle) is
kept with the accounts (``indexer.admin.accounts``), so that signing out, a disabled account or a changed
password ends it at once. Anything that is not a value we signed (altered, truncated, another site's, bytes
that are not ASCII) reads as no session.
"""

from __future__ import annotations

import hmac

from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

from indexer import SESSION_SECONDS


class Signer:
    def __init__(self, key: bytes):
        self.cookies = URLSafeTimedSerializer(key, salt="bulletin-admin-session")
        self.forms = URLSafeSerializer(key, salt="bulletin-admin-csrf")

    def cookie(self, session_id: str) -> str:
        return self.cookies.dumps(session_id)

    def session_id(self, cookie: str | None) -> str | None:
        """The session id ``cookie`` carries, if we signed it within a session's lifetime."""
        if not cookie or len(cookie) > 512:
            return None
        try:
            value = self.cookies.loads(cookie, max_age=SESSION_SECONDS)
        except (BadData, UnicodeError, ValueError, TypeError):
            return None
        return value if isinstance(value, str) else None

    def csrf(self, session_id: str) -> str:
        return self.forms.dumps(session_id)

    def csrf_matches(self, session_id: str, given: str) -> bool:
        try:
            value = self.forms.loads(given)
        except (BadData, UnicodeError, ValueError, TypeError):
            return False
        return isinstance(value, str) and hmac.compare_digest(value.encode(), session_id.encode())
