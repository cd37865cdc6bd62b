"""How much work one source file may ask for, stated once, and the checks made before any parser runs.

A hostile or broken file can be small on disk and huge once read: a .docx is a zip whose members may inflate
a thousandfold, its XML may nest without end or declare entities that expand, and a PDF may hold compressed
streams of any size or tens of thousands of pages. Each check here streams through the file with bounded
memory and refuses past a limit, before python-docx or pdfminer (which hold everything in memory) see it.
A real issue is far below every limit: the seed's printed PDF has 28 pages, and a Word issue with photos
is a few megabytes.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
import zipfile
import zlib
from dataclasses import dataclass

from .errors import TooMuchError, UnreadableFileError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    source_bytes: int = 64 * MB  # a source file as stored (the upload limit is lower, see BULLETIN_MAX_UPLOAD)
    zip_members: int = 2000  # members of a .docx package
    xml_member_bytes: int = 32 * MB  # one inflated XML member (python-docx builds a tree of it)
    zip_member_bytes: int = 64 * MB  # one inflated member of any kind (a photo)
    zip_total_bytes: int = 160 * MB  # all members inflated together
    xml_depth: int = 256  # element nesting; Word's deepest (tables in text boxes) is a few dozen
    pdf_pages: int = 500
    pdf_stream_bytes: int = 64 * MB  # one inflated PDF stream
    pdf_total_bytes: int = 256 * MB  # all inflated PDF streams together
    convert_seconds: int = 120  # LibreOffice converting one .doc or .wps (an issue takes a few seconds)
    scan_pages: int = 64  # pages recognised in one file (an issue has 10–30)
    scan_pixels: int = 40_000_000  # one page image; an A4 page scanned at 300 dpi has 8.7 million
    scan_seconds: int = 1800  # recognising one file (a page takes a few seconds)


LIMITS = Limits()
_CHUNK = 64 * 1024


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB"


def _refuse(name: str, what: str) -> TooMuchError:
    return TooMuchError(f"{what}。这不像一期简报（可能是压缩炸弹），已拒绝读取，未写入任何内容。", file=name)


def check_size(size: int, name: str, limits: Limits = LIMITS) -> None:
    if size > limits.source_bytes:
        raise _refuse(name, f"文件有 {_mb(size)}，超过 {_mb(limits.source_bytes)} 的上限")


def check_zip(data: bytes, name: str, limits: Limits = LIMITS) -> None:
    """Declared and actual inflated sizes of every member, and each XML member's depth and declarations."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return  # not a zip at all: the reader says the file is damaged
    with package:
        members = package.infolist()
        if len(members) > limits.zip_members:
            raise _refuse(name, f"压缩包内有 {len(members)} 个文件，超过 {limits.zip_members} 个的上限")
        declared = sum(m.file_size for m in members)
        if declared > limits.zip_total_bytes:
            raise _refuse(name, f"解压后共 {_mb(declared)}，超过 {_mb(limits.zip_total_bytes)} 的上限")
        total = 0
        for member in members:
            is_xml = member.filename.endswith((".xml", ".rels"))
            cap = limits.xml_member_bytes if is_xml else limits.zip_member_bytes
            if member.file_size > cap:
                size = _mb(member.file_size)
                raise _refuse(name, f"其中的 {member.filename} 解压后有 {size}，超过 {_mb(cap)} 的上限")
            xml_check = _XmlCheck(name, member.filename, limits.xml_depth) if is_xml else None
            size = 0
            try:
                with package.open(member) as stream:
                    # Counted as read, not trusted from the header: a forged header must not let more through.
                    while chunk := stream.read(_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > cap:
                            raise _refuse(name, f"其中的 {member.filename} 解压后超过 {_mb(cap)} 的上限")
                        if total > limits.zip_total_bytes:
                            raise _refuse(name, f"解压后超过 {_mb(limits.zip_total_bytes)} 的上限")
                        if xml_check is not None:
                            xml_check.feed(chunk)
                if xml_check is not None:
                    xml_check.close()
            except UnreadableFileError:
                raise
            except Exception as exc:  # zipfile raises many kinds of error for a damaged package
                raise UnreadableFileError(
                    f"压缩包中的 {member.filename} 已损坏（{type(exc).__name__}）。请用 Word 重新保存后再试。",
                    file=name,
                ) from None


class _XmlCheck:
    """Stream an XML member through expat: no DTD or entity declarations (Word writes none), bounded depth."""

    def __init__(self, name: str, member: str, max_depth: int):
        self.name, self.member, self.max_depth, self.depth = name, member, max_depth, 0
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end

    def _doctype(self, *_: object) -> None:
        raise _refuse(self.name, f"其中的 {self.member} 含有 DOCTYPE 声明（Word 文件不会有）")

    def _entity(self, *_: object) -> None:
        raise _refuse(self.name, f"其中的 {self.member} 声明了实体（Word 文件不会有）")

    def _start(self, *_: object) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _refuse(self.name, f"其中的 {self.member} 元素嵌套超过 {self.max_depth} 层的上限")

    def _end(self, *_: object) -> None:
        self.depth -= 1

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except xml.parsers.expat.ExpatError as exc:
            raise self._damaged(exc) from None

    def close(self) -> None:
        try:
            self.parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise self._damaged(exc) from None

    def _damaged(self, exc: Exception) -> UnreadableFileError:
        return UnreadableFileError(
            f"压缩包中的 {self.member} 已损坏，不是有效的 XML（{exc}）。请用 Word 重新保存后再试。", file=self.name
        )


_STREAM = re.compile(rb"stream\r?\n")


def check_pdf(data: bytes, name: str, limits: Limits = LIMITS) -> None:
    """Inflated size of every Flate stream (object streams included), then the page count."""
    view = memoryview(data)
    total = 0
    for match in _STREAM.finditer(data):
        size = _inflated_size(view, match.end(), limits.pdf_stream_bytes)
        if size > limits.pdf_stream_bytes:
            raise _refuse(name, f"PDF 中有一段数据解压后超过 {_mb(limits.pdf_stream_bytes)} 的上限")
        total += size
        if total > limits.pdf_total_bytes:
            raise _refuse(name, f"PDF 的数据解压后共超过 {_mb(limits.pdf_total_bytes)} 的上限")
    pages = _page_count(data, limits.pdf_pages + 1)
    if pages > limits.pdf_pages:
        raise _refuse(name, f"PDF 超过 {limits.pdf_pages} 页的上限")


def _inflated_size(view: memoryview, start: int, cap: int) -> int:
    """Bytes that the zlib stream at ``start`` inflates to, counted up to just past ``cap``; 0 if not zlib.

    Read to the stream's own end, not to the next ``endstream``, which a forged file could place early.
    """
    inflater = zlib.decompressobj()
    size = 0
    try:
        for offset in range(start, len(view), _CHUNK):
            pending = bytes(view[offset : offset + _CHUNK])
            while pending:
                size += len(inflater.decompress(pending, _CHUNK))
                if size > cap or inflater.eof:
                    return size
                pending = inflater.unconsumed_tail
    except zlib.error:
        return size  # not (or no longer) Flate data: images, plain streams, or a damaged tail
    return size


def _page_count(data: bytes, stop: int) -> int:
    """Pages in the page tree, counted up to ``stop``; 0 when the file is too damaged to say."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    count = 0
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        for _ in PDFPage.create_pages(document):
            count += 1
            if count >= stop:
                break
    except Exception:
        pass  # pdfminer raises many kinds of error on damage; the reader reports it in its own words
    return count
