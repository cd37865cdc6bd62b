"""Hostile files: each kind of bomb is refused with a clear error, in bounded memory, and nothing is written."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from conftest import SEED, record_figures, run_measured, tree_snapshot, upload

from archive import read_file
from archive.limits import LIMITS
from indexer import reindex

pytestmark = pytest.mark.slow

MB = 1024 * 1024
# The reading process may hold the interpreter, jieba and the readers, not the bomb: the 600 MB document
# below held 1.2 GB when it was read whole.
PEAK_LIMIT_MB = 250

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)


def docx(document_chunks) -> bytes:
    """A .docx package whose word/document.xml is written from ``document_chunks`` (streamed, never held whole)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELS)
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            for chunk in document_chunks:
                member.write(chunk)
    return buffer.getvalue()


def inflating_docx(size: int) -> bytes:
    head = f'<?xml version="1.0"?><w:document {_NS}><w:body><w:p><w:r><w:t>'.encode()
    spaces = b" " * MB
    return docx([head, *(spaces for _ in range(size // MB)), b"</w:t></w:r></w:p></w:body></w:document>"])


def forged_sizes(data: bytes, member: str, size: int) -> bytes:
    """The package with ``member``'s declared inflated size in the central directory replaced by ``size``."""
    data = bytearray(data)
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name:
            extra = at + 46 + name_len
            # zip64: the real sizes live in the extra field (uncompressed first)
            if struct.unpack_from("<I", data, at + 24)[0] == 0xFFFFFFFF:
                struct.pack_into("<Q", data, extra + 4, size)
            else:
                struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in the package")


def deep_docx(depth: int) -> bytes:
    head = f'<?xml version="1.0"?><w:document {_NS}><w:body>'.encode()
    return docx([head, b"<w:p>" * depth, b"</w:p>" * depth, b"</w:body></w:document>"])


def entity_docx() -> bytes:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE w:document [{''.join(entities)}]>"
    body = f'<?xml version="1.0"?>{doctype}<w:document {_NS}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    return docx([body.encode()])


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream_bomb_pdf(size: int) -> bytes:
    inflater = zlib.compressobj(9)
    chunk = b" " * MB
    data = b"".join(inflater.compress(chunk) for _ in range(size // MB)) + inflater.flush()
    stream = f"<< /Length {len(data)} /Filter /FlateDecode >>\nstream\n".encode() + data + b"\nendstream"
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream,
    ])  # fmt: skip


def many_pages_pdf(pages: int) -> bytes:
    kids = " ".join(f"{n} 0 R" for n in range(3, 3 + pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    return pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            *([page] * pages),
        ]
    )


BOMBS = {
    # kind: (file name, builder, words the refusal must contain)
    "zip": ("bomb.docx", lambda: inflating_docx(600 * MB), "上限"),
    "zip-forged-size": (
        "forged.docx",
        lambda: forged_sizes(inflating_docx(600 * MB), "word/document.xml", 1000),
        "已损坏",
    ),
    "deep-xml": ("deep.docx", lambda: deep_docx(100_000), "嵌套"),
    "entity-expansion": ("laughs.docx", entity_docx, "DOCTYPE"),
    "pdf-stream": ("stream.pdf", lambda: stream_bomb_pdf(600 * MB), "上限"),
    "pdf-pages": ("pages.pdf", lambda: many_pages_pdf(20_000), f"{LIMITS.pdf_pages} 页"),
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A corpus and index of the seed issue; every bomb is ingested into it and must change nothing."""
    root = tmp_path_factory.mktemp("bombs")
    corpus = root / "corpus" / "2017"
    corpus.mkdir(parents=True)
    (corpus / "2017-06.md").write_bytes(SEED.read_bytes())
    reindex(root / "corpus", root / "index")
    return root


@pytest.mark.parametrize("kind", list(BOMBS))
def test_each_bomb_is_refused_in_bounded_memory_and_nothing_is_written(library, kind):
    name, build, words = BOMBS[kind]
    bomb = library / name
    bomb.write_bytes(build())
    corpus, index = library / "corpus", library / "index"
    before = tree_snapshot(corpus, index)

    code, out, err, peak = run_measured("ingest", str(bomb), "--corpus", str(corpus), "--index", str(index))
    record_figures(f"bomb_{kind}", file_bytes=bomb.stat().st_size, exit_code=code, peak_rss_mb=round(peak, 1))

    assert code == 1, out + err
    assert str(bomb) in err and words in err, err
    assert "Traceback" not in err
    assert peak < PEAK_LIMIT_MB, f"the refusing process peaked at {peak:.0f} MB"
    assert tree_snapshot(corpus, index) == before


def test_a_real_word_issue_is_far_below_every_limit(tmp_path):
    from makedocs import to_docx

    issue = read_file(SEED).issue
    path = to_docx(issue, tmp_path / "2017-06.docx")
    code, _out, err, peak = run_measured("check", str(path))
    record_figures("real_docx_check", file_bytes=path.stat().st_size, peak_rss_mb=round(peak, 1))
    assert code == 0, err
    assert peak < PEAK_LIMIT_MB


def test_the_api_refuses_a_bomb_with_the_same_message_and_writes_nothing(writable):
    client, corpus, index = writable
    before = tree_snapshot(corpus, index)
    bomb = inflating_docx(LIMITS.xml_member_bytes + MB)  # about 40 KB on the wire
    response = upload(client, {"file": ("bomb.docx", bomb)}, {"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 422
    assert "bomb.docx" in response.json["description"] and "32 MB 的上限" in response.json["description"]
    assert tree_snapshot(corpus, index) == before
