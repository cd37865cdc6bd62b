"""Read a Word 97–2003 (.doc) or WPS (.wps) issue: LibreOffice converts it to .docx, which the Word reader reads.

LibreOffice runs headless in a profile folder of its own (a second conversion, or a desktop LibreOffice of the
same user, would otherwise share its lock), in a new process group killed whole at the time limit, with the
file in a temporary folder deleted afterwards; the .docx it writes is kept by the file's checksum (``cache``). The
original bytes are what the corpus keeps.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..blocks import Block
from ..errors import TooMuchError, UnreadableFileError, UnsupportedFormatError
from ..limits import LIMITS, Limits
from .cache import remembered
from .docx import read_docx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file every .doc and WPS .wps is
INSTALL = "apt-get install libreoffice-writer-nogui"


def office() -> str | None:
    """The LibreOffice program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(data: bytes, name: str, limits: Limits = LIMITS) -> list[Block]:
    suffix = Path(name).suffix.lower() or ".doc"
    program = office()
    if program is None:
        raise UnsupportedFormatError(
            f"读取 {suffix} 文件需要 LibreOffice，本机没有安装。请运行 {INSTALL}，"
            "或用 Word、WPS 把文件另存为 .docx 后再上传。",
            file=name,
        )
    if not data.startswith(OLE_MAGIC):
        raise UnreadableFileError(
            "这不是 Word 97–2003 或 WPS 文档（文件头不对）。请用 Word 或 WPS 打开确认，另存为 .docx 后再试。",
            file=name,
        )
    key = f"{hashlib.sha256(data).hexdigest()}{suffix}.docx"
    return read_docx(remembered(key, lambda: _converted(program, data, suffix, name, limits)), name)


def _converted(program: str, data: bytes, suffix: str, name: str, limits: Limits) -> bytes:
    with tempfile.TemporaryDirectory(prefix="bulletin-office-") as folder:
        work = Path(folder)
        source = work / f"issue{suffix}"
        source.write_bytes(data)
        return _convert(program, source, work, name, limits.convert_seconds)


def _convert(program: str, source: Path, work: Path, name: str, seconds: int) -> bytes:
    out = work / "out"
    args = [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]  # fmt: skip
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "HOME": str(work)},
    )  # fmt: skip
    try:
        _, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise TooMuchError(
            f"LibreOffice 转换超过 {seconds} 秒的上限，已停止，未写入任何内容。"
            "请用 Word 或 WPS 把文件另存为 .docx 后再试。",
            file=name,
        ) from None
    result = out / f"{source.stem}.docx"
    if proc.returncode != 0 or not result.exists():
        detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {proc.returncode}"]
        raise UnreadableFileError(
            f"LibreOffice 无法转换这个文件（{detail[0][:200]}），文件可能已损坏。"
            "请用 Word 或 WPS 打开后另存为 .docx 再试。",
            file=name,
        )
    return result.read_bytes()
