"""Turn a source file's bytes into text without guessing silently wrong.

Government files arrive as UTF-8 (with or without a BOM) or as GB18030/GBK.
UTF-8 is self-validating, so it is tried first; GB18030 decodes almost any
byte soup, so its result must also look like Chinese prose before it is
trusted.
"""

from __future__ import annotations

import codecs
import re

from ..errors import UnreadableFileError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_GB_NAMES = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Control characters other than tab/newline/carriage return/form feed mean binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, name: str, *, expected: str = "文本") -> tuple[str, str]:
    """Return ``(text, encoding)`` for ``data``, or raise UnreadableFileError (``expected`` names the text forms)."""
    if not data.strip():
        raise UnreadableFileError("文件为空。请提供一期完整的简报文件。", file=name)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), name), encoding
            except UnicodeDecodeError as exc:
                raise _undecodable(name, data, exc.start, encoding) from None
    if b"\x00" in data[:8192]:
        raise UnreadableFileError(f"这是二进制文件，不是文本。请提供 {expected} 格式的简报。", file=name)
    try:
        return _checked(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError as utf8_error:
        declared = _DECLARED.search(data[:4096])
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _undecodable(name, data, utf8_error.start, "UTF-8 或 GB18030") from None
        if not (declared and declared.group(1).decode("ascii").lower() in _GB_NAMES):
            _require_plausible_gb(text, name)
        return _checked(text, name), "gb18030"


def _checked(text: str, name: str) -> str:
    """A file with NUL or many control characters is binary; a few (a vertical tab pasted from Word, an escape
    from a terminal) are removed with a warning when the issue is read (``reader``)."""
    head = text[:8192]
    controls = len(_CONTROL.findall(head))
    if "\x00" in head or controls > max(8, len(head) // 100):
        raise UnreadableFileError("文件含有控制字符，像是二进制文件而不是文本。请提供文本格式的简报。", file=name)
    return text


def _require_plausible_gb(text: str, name: str) -> None:
    """Reject GB18030 decodings that come out as rare characters: a wrong guess."""
    chars = _CJK.findall(text)
    if not chars:
        raise UnreadableFileError(
            "无法识别文件编码：不是 UTF-8，按 GB18030 解码也没有中文。请另存为 UTF-8 后重试。",
            file=name,
        )
    common = sum(1 for c in chars if _in_gb2312(c))
    if common / len(chars) < 0.9:
        raise UnreadableFileError(
            "无法识别文件编码：不是 UTF-8，按 GB18030 解码得到大量生僻字，"
            "可能是 Big5 等其他编码。请另存为 UTF-8 后重试。",
            file=name,
        )


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _undecodable(name: str, data: bytes, offset: int, encoding: str) -> UnreadableFileError:
    line = data[:offset].count(b"\n") + 1
    return UnreadableFileError(
        f"无法按 {encoding} 解码（第 {offset} 字节处）。请确认文件编码为 UTF-8 或 GB18030/GBK。",
        file=name,
        line=line,
    )
