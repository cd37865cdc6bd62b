"""Word and PDF issues read into the same model as the text form of the same issue."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, make_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from makedocs import to_docx, to_pdf

from archive import ArchiveError, UnreadableFileError, read_bytes, read_file
from bulletin.cli import main
from indexer import SearchService, ingest, reindex


@pytest.fixture(scope="module")
def seed(seed_path):
    return read_file(seed_path)


def model(parsed, squeeze=False):
    def text(t):
        return re.sub(r"\s+", "", t) if squeeze else t

    return [
        (
            a.id,
            a.section,
            a.title,
            a.unit,
            a.district,
            a.place,
            a.page,
            [(p.kind, text(p.text)) for p in a.paragraphs],
            a.source,
        )
        for a in parsed.issue.articles
    ]


def test_docx_with_a_typed_contents_gives_the_same_model(seed, tmp_path):
    parsed = read_file(to_docx(seed.issue, tmp_path / "2017-06.docx"))
    assert parsed.form == "docx"
    assert (parsed.issue.id, parsed.issue.date, parsed.issue.publisher) == (
        "2017-06",
        seed.issue.date,
        seed.issue.publisher,
    )
    assert model(parsed) == model(seed)
    assert [w.kind for w in parsed.warnings] == ["title-mismatch"]


def test_docx_with_a_word_toc_field_and_bold_titles(seed, tmp_path):
    parsed = read_file(to_docx(seed.issue, tmp_path / "2017-06.docx", word_toc=True, bold_titles=True))
    assert model(parsed) == model(seed)


def test_docx_tables_are_kept_as_readable_text(seed, tmp_path):
    parsed = read_file(to_docx(seed.issue, tmp_path / "2017-06.docx", table=True))
    article = parsed.issue.articles[1]
    assert [p.text for p in article.paragraphs[-2:]] == ["设备 | 数量 | 状态", "执法记录仪 | 120 | 完好"]
    assert article.paragraphs[:-2] == seed.issue.articles[1].paragraphs


def test_pdf_gives_the_same_model_with_pages_checked(seed, tmp_path):
    path, drawn = to_pdf(seed.issue, tmp_path / "2017-06.pdf")
    parsed = read_file(path)
    assert parsed.form == "pdf"
    # PDF text has no spaces between Chinese and ASCII words; everything else is the same.
    assert model(parsed, squeeze=True) == model(seed, squeeze=True)
    for article in parsed.issue.articles:
        if not article.editorial:
            assert article.source_page == drawn[article.title]
    mismatched = {w.message.split("“")[1].split("”")[0] for w in parsed.warnings if w.kind == "page-mismatch"}
    expected = {a.title for a in parsed.issue.articles if not a.editorial and a.page != drawn[a.title]}
    assert mismatched == expected and expected  # the contents' pages are checked against the real ones
    everything = "\n".join(a.text for a in parsed.issue.articles)
    assert "北京城管科技信息动态  2017年第6期" not in everything and not re.search(r"-\s*\d+\s*-", everything)


def test_pdf_and_docx_of_a_small_issue(tmp_path, fixtures):
    text = read_file(fixtures / "plain-2018-03.txt")
    pdf, _ = to_pdf(text.issue, tmp_path / "2018-03.pdf")
    assert model(read_file(pdf), squeeze=True) == model(text, squeeze=True)
    assert model(read_file(to_docx(text.issue, tmp_path / "2018-03.docx"))) == model(text)


def test_docx_and_pdf_are_sniffed_without_a_suffix(seed, tmp_path):
    docx = to_docx(seed.issue, tmp_path / "a.docx").read_bytes()
    pdf = to_pdf(seed.issue, tmp_path / "a.pdf")[0].read_bytes()
    assert read_bytes(docx, "upload").form == "docx"
    assert read_bytes(pdf, "upload").form == "pdf"


def test_ingested_pdf_is_kept_byte_for_byte_and_found(seed, tmp_path):
    corpus = make_corpus(tmp_path)
    index = tmp_path / "index"
    reindex(corpus, index)
    text = read_file(FIXTURES / "plain-2018-03.txt")
    pdf, _ = to_pdf(text.issue, tmp_path / "upload.pdf")
    report = ingest([pdf], corpus, index)
    assert report.replaced == ["2018-03"]
    assert (corpus / "2018" / "2018-03.pdf").read_bytes() == pdf.read_bytes()
    assert not (corpus / "2018" / "2018-03.txt").exists()
    assert SearchService(index).search("PM2.5").hits[0].id == "2018-03-a04"


def _encrypted_pdf(path):
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A5, encrypt="secret")
    c.drawString(40, 500, "2017")
    c.save()
    return path.read_bytes()


def _drawing_only_pdf(path):
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A5)
    c.rect(40, 40, 300, 500, fill=1)  # a drawing: no text layer, and no picture to recognise text on
    c.showPage()
    c.save()
    return path.read_bytes()


def _corrupt_docx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "words"),
    [
        (lambda tmp: _encrypted_pdf(tmp / "e.pdf"), "e.pdf", "加密"),
        (lambda tmp: _drawing_only_pdf(tmp / "i.pdf"), "i.pdf", "没有文字层"),
        (lambda tmp: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer garbage", "c.pdf", "损坏"),
        (lambda tmp: b"%PDF-1.4\n" + bytes(range(256)) * 8, "c.pdf", "PDF"),
        (_corrupt_docx, "c.docx", "损坏"),
        (lambda tmp: b"PK\x03\x04" + bytes(200), "c.docx", "损坏"),
    ],
)
def test_bad_pdf_and_docx_get_a_clear_error_and_nothing_is_written(tmp_path, make, name, words):
    data = make(tmp_path)
    with pytest.raises(UnreadableFileError) as info:
        read_bytes(data, name)
    assert name in str(info.value) and words in str(info.value)
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(data)
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    result = CliRunner().invoke(main, ["ingest", str(bad), "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output
    assert not corpus.exists() and not index.exists()


@pytest.fixture(scope="module")
def binaries(tmp_path_factory, fixtures):
    folder = tmp_path_factory.mktemp("binaries")
    issue = read_file(fixtures / "plain-2018-03.txt").issue
    return {
        "x.pdf": to_pdf(issue, folder / "x.pdf")[0].read_bytes(),
        "x.docx": to_docx(issue, folder / "x.docx").read_bytes(),
    }


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), name=st.sampled_from(["x.pdf", "x.docx"]))
def test_mutated_pdf_and_docx_raise_only_archive_errors(binaries, data, name):
    original = binaries[name]
    at = data.draw(st.integers(0, len(original)))
    blob = data.draw(
        st.sampled_from(
            [
                original[:at],
                original[:at] + data.draw(st.binary(min_size=1, max_size=64)) + original[at:],
                original[:at] + original[at + data.draw(st.integers(1, 2000)) :],
            ]
        )
    )
    try:
        read_bytes(blob, name)
    except ArchiveError as exc:
        assert str(exc)


def test_warnings_say_page_and_paragraph_in_a_pdf_and_paragraph_in_word(seed, tmp_path):
    path, drawn = to_pdf(seed.issue, tmp_path / "2017-06.pdf")
    read = read_file(path)
    mismatches = [w for w in read.warnings if w.kind == "page-mismatch"]
    assert mismatches
    for w in mismatches:
        title = w.message.split("“")[1].split("”")[0]
        page = re.match(r"第 (\d+) 页第 \d+ 段$", w.place)
        assert page and int(page.group(1)) == drawn[title] and str(w).startswith(w.place + "：")
        assert "它在文件中从第" in w.message and "文章按目录的页码引用" in w.message
    word = read_file(to_docx(seed.issue, tmp_path / "2017-06.docx"))
    assert word.warnings and all(re.fullmatch(r"第 \d+ 段", w.place) for w in word.warnings if w.line)


def test_contents_off_by_the_same_pages_throughout_are_one_notice(seed, tmp_path):
    from dataclasses import replace

    _, drawn = to_pdf(seed.issue, tmp_path / "first.pdf")
    # The contents count two pages fewer than the file (a cover and its back, say) for every article.
    pages = {(a.toc_title or a.title): drawn[a.title] for a in seed.issue.articles if a.title in drawn}
    toc = tuple(replace(e, page=pages[e.title] - 2) if e.title in pages else e for e in seed.issue.toc)
    path, again = to_pdf(replace(seed.issue, toc=toc), tmp_path / "2017-06.pdf")
    assert again == drawn
    read = read_file(path)
    assert not [w for w in read.warnings if w.kind == "page-mismatch"]
    (notice,) = [w for w in read.warnings if w.kind == "page-offset"]
    assert f"目录的 {len(drawn)} 个页码都比文件中的页数少 2" in notice.message and "不是目录错了" in notice.message
