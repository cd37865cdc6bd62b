"""Admin forms read with limits: a form's body is read up to ``FORM_BYTES`` (past it, 413 before it is read),
its fields counted and each named once. A field sent twice (a forged form, or two forms merged) is refused
with its name, rather than one of the two taken silently."""

from __future__ import annotations

from urllib.parse import parse_qsl

import falcon

from indexer import TooLargeError

# A vocabulary file at its limit (1 MB of UTF-8) is about 3 MB once a form encodes it.
FORM_BYTES = 4 * 1024 * 1024
MAX_FIELDS = 20


def read_form(req: falcon.Request) -> dict[str, str]:
    """The fields of a urlencoded form (empty for any other body, which is then not read)."""
    if not (req.content_type or "").startswith("application/x-www-form-urlencoded"):
        return {}
    if req.content_length is not None and req.content_length > FORM_BYTES:
        raise too_large(req.content_length)
    body = req.bounded_stream.read(FORM_BYTES + 1)
    if len(body) > FORM_BYTES:
        raise too_large(None)
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise falcon.HTTPBadRequest(title="表单无效", description=f"表单字段超过 {MAX_FIELDS} 个。") from None
    return unique(pairs)


def unique(pairs: list[tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise repeated(name)
        fields[name] = value
    return fields


def repeated(name: str) -> falcon.HTTPBadRequest:
    return falcon.HTTPBadRequest(
        title="表单无效", description=f"表单字段“{name[:40]}”出现了不止一次。请刷新页面后重新提交。"
    )


def too_large(size: int | None) -> TooLargeError:
    got = f"有 {size / 1024 / 1024:.1f} MB，" if size else ""
    return TooLargeError(f"表单内容{got}超过了 {FORM_BYTES // 1024 // 1024} MB 的上限。请减少内容后再提交。")
