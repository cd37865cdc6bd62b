"""Build .docx and PDF fixtures from a parsed issue, the way the office produces them.

The .docx uses Word's heading styles, bold titles, a typed or a Word-field table of contents, and
optionally a table. The PDF is set in reportlab's built-in STSong-Light CID font (no font file
needed), with a running header, a page-number footer, a first-line indent, and paragraphs that
break across pages; it records on which page each article title was drawn.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from archive import Issue


def issue_lines(issue: Issue) -> tuple[list[str], list[tuple[str, int | None]]]:
    masthead = [
        issue.title,
        issue.label,
        issue.publisher or "",
        f"{issue.date.year}年{issue.date.month}月{issue.date.day}日",
    ]
    toc = [(f"【{e.title}】" if e.is_section else e.title, e.page) for e in issue.toc]
    return [m for m in masthead if m], toc


def to_docx(
    issue: Issue, path: Path, *, word_toc: bool = False, bold_titles: bool = False, table: bool = False
) -> Path:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    masthead, toc = issue_lines(issue)
    doc.add_heading(masthead[0], 0)
    for line in masthead[1:]:
        doc.add_paragraph(line)
    if word_toc:
        # A TOC field as Word writes it: begin/instr/separate before the entries, end after them.
        first = doc.add_paragraph()
        for kind, instr in (("begin", None), (None, ' TOC \\o "1-3" \\h \\z \\u '), ("separate", None)):
            run = first.add_run()
            if kind:
                field = OxmlElement("w:fldChar")
                field.set(qn("w:fldCharType"), kind)
                run._r.append(field)
            else:
                text = OxmlElement("w:instrText")
                text.text = instr
                run._r.append(text)
    for title, page in toc:
        para = doc.add_paragraph()
        para.add_run(title)
        if page is not None:
            para.add_run().add_tab()
            para.add_run(str(page))
    if word_toc:
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        doc.paragraphs[-1].add_run()._r.append(end)
    section = None
    for article in issue.articles:
        if article.section != section:
            section = article.section
            doc.add_heading(f"【{section}】", 1)
        if not article.editorial:
            if bold_titles:
                doc.add_paragraph().add_run(article.title).bold = True
            else:
                doc.add_heading(article.title, 2)
        for paragraph in article.paragraphs:
            if paragraph.kind == "subheading":
                doc.add_heading(paragraph.text, 3)
            else:
                doc.add_paragraph(paragraph.text)
        if table and article.ordinal == 2:
            grid = doc.add_table(rows=2, cols=3)
            for r, row in enumerate([("设备", "数量", "状态"), ("执法记录仪", "120", "完好")]):
                for c, value in enumerate(row):
                    grid.cell(r, c).text = value
        if article.source:
            doc.add_paragraph(article.source)
    doc.save(path)
    return path


def to_pdf(issue: Issue, path: Path) -> tuple[Path, dict[str, int]]:
    """Write the issue as a PDF; return the path and {article title: page it was drawn on}."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=16, firstLineIndent=20, wordWrap="CJK")
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    title = ParagraphStyle("title", parent=plain, fontSize=13, leading=20, spaceBefore=8, spaceAfter=4)
    section_style = ParagraphStyle("section", parent=plain, fontSize=15, leading=22, spaceBefore=10, spaceAfter=6)
    sub = ParagraphStyle("sub", parent=plain, fontSize=11.5, leading=18, spaceBefore=4)
    masthead, toc = issue_lines(issue)
    running = f"{issue.title}  {issue.label}"
    drawn: dict[str, int] = {}

    class Doc(SimpleDocTemplate):
        def afterFlowable(self, flowable):
            name = getattr(flowable, "article_title", None)
            if name:
                drawn[name] = self.page

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        width, height = A5
        canvas.drawCentredString(width / 2, height - 22, running)
        canvas.drawCentredString(width / 2, 18, f"- {doc.page} -")
        canvas.restoreState()

    story = [Paragraph(escape(masthead[0]), section_style)]
    story += [Paragraph(escape(line), plain) for line in masthead[1:]]
    story.append(Spacer(1, 12))
    story += [Paragraph(escape(f"{t}    {p}" if p is not None else t), plain) for t, p in toc]
    story.append(PageBreak())
    section = None
    for article in issue.articles:
        if article.section != section:
            section = article.section
            story.append(Paragraph(escape(f"【{section}】"), section_style))
        if not article.editorial:
            heading = Paragraph(escape(article.title), title)
            heading.article_title = article.title
            story.append(heading)
        for paragraph in article.paragraphs:
            style = sub if paragraph.kind == "subheading" else body
            story.append(Paragraph(escape(paragraph.text), style))
        if article.source:
            story.append(Paragraph(escape(article.source), plain))
    doc = Doc(str(path), pagesize=A5, topMargin=40, bottomMargin=40, leftMargin=40, rightMargin=40)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return path, drawn


# Habits of the office that office_docx can reproduce, each a way real issues are laid out.
HABITS = (
    "two_column",  # the 【区局动态】 section set in two columns
    "table",  # a table inside an article
    "picture",  # a picture with a caption inside an article
    "page_break",  # a manual page break inside a paragraph
    "toc_field",  # Word's TOC field: hyperlinked entries with PAGEREF page numbers
    "bold_headings",  # titles made bold by direct formatting instead of heading styles
    "fullwidth_indent",  # paragraphs indented with two full-width spaces instead of a first-line indent
    "textbox_masthead",  # the masthead in a text box
)


def office_docx(issue: Issue, path: Path, habits: tuple[str, ...] = ()) -> Path:
    """The issue as the office lays it out in Word: heading styles, a typed contents with a right tab stop
    and dot leader, a running header, page numbers in the footer, a first-line indent; plus ``habits``."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.header.paragraphs[0].text = f"{issue.title}　{issue.label}"
    _field(section.footer.paragraphs[0], " PAGE ", "1")
    masthead, toc = issue_lines(issue)
    anchors = {title.strip("【】"): n for n, (title, _) in enumerate(toc)} if "toc_field" in habits else {}
    _masthead(doc, masthead, habits)
    _contents(doc, toc, habits)
    doc.add_page_break()
    current = None
    for article in issue.articles:
        if article.section != current:
            current = article.section
            if "two_column" in habits and current == "区局动态":
                _two_columns(doc)
            _bookmark(doc.add_heading(f"【{current}】", 1), current, anchors)
        if not article.editorial:
            _bookmark(_title(doc, article.title, habits), article.toc_title or article.title, anchors)
        _article_body(doc, article, habits)
        if article.source:
            doc.add_paragraph(article.source)
    doc.save(path)
    return path


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, TOC, PAGEREF) showing ``shown``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, None), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        elif text:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run._r.append(element)
        else:
            run.text = shown


def _bookmark(paragraph, title: str, anchors: dict[str, int]) -> None:
    """A bookmark around a heading, as Word's TOC field makes for each entry it links to."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if title not in anchors:
        return
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(anchors[title]))
    start.set(qn("w:name"), f"_Toc{anchors[title]:04d}")
    end.set(qn("w:id"), str(anchors[title]))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _masthead(doc, masthead: list[str], habits: tuple[str, ...]) -> None:
    """The masthead: a title and lines, or (a habit) all of it in a text box."""
    if "textbox_masthead" not in habits:
        doc.add_heading(masthead[0], 0)
        for line in masthead[1:]:
            doc.add_paragraph(line)
        return
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml

    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in masthead)
    pict = parse_xml(
        '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><v:shape style="width:400pt;height:130pt">'
        f"<v:textbox><w:txbxContent>{paragraphs}</w:txbxContent></v:textbox></v:shape></w:pict>"
    )
    doc.add_paragraph().add_run()._r.append(pict)


def _contents(doc, toc: list[tuple[str, int | None]], habits: tuple[str, ...]) -> None:
    """The contents typed with a right tab stop and dot leader, or (a habit) as Word's TOC field."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import OxmlElement
    from docx.shared import Cm

    doc.add_paragraph("目录")
    for number, (title, page) in enumerate(toc):
        para = doc.add_paragraph()
        para.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        if "toc_field" not in habits:
            para.add_run(title)
            if page is not None:
                para.add_run().add_tab()
                para.add_run(str(page))
            continue
        if number == 0:
            _field(para, ' TOC \\o "1-3" \\h \\z \\u ', "")
        link, run, text = OxmlElement("w:hyperlink"), OxmlElement("w:r"), OxmlElement("w:t")
        link.set(_qn("w:anchor"), f"_Toc{number:04d}")
        text.text = title
        run.append(text)
        link.append(run)
        para._p.append(link)
        if page is not None:
            para.add_run().add_tab()
            _field(para, f" PAGEREF _Toc{number:04d} \\h ", str(page))


def _qn(name: str) -> str:
    from docx.oxml.ns import qn

    return qn(name)


def _two_columns(doc) -> None:
    from docx.enum.section import WD_SECTION
    from docx.oxml import OxmlElement

    columns = doc.add_section(WD_SECTION.CONTINUOUS)._sectPr
    cols = OxmlElement("w:cols")
    cols.set(_qn("w:num"), "2")
    columns.append(cols)


def _title(doc, title: str, habits: tuple[str, ...]):
    """An article's title: a heading style, or (a habit) a bold, large normal paragraph."""
    from docx.shared import Pt

    if "bold_headings" not in habits:
        return doc.add_heading(title, 2)
    heading = doc.add_paragraph()
    run = heading.add_run(title)
    run.bold, run.font.size = True, Pt(14)
    return heading


def _article_body(doc, article, habits: tuple[str, ...]) -> None:
    """An article's paragraphs with a first-line indent (or, a habit, two full-width spaces), and what some
    articles carry in the habits: a page break inside a paragraph, a table, a picture with its caption."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt

    def body(text: str):
        if "fullwidth_indent" in habits:
            return doc.add_paragraph("\u3000\u3000" + text)
        para = doc.add_paragraph(text)
        para.paragraph_format.first_line_indent = Pt(21)
        return para

    for n, paragraph in enumerate(article.paragraphs):
        if paragraph.kind == "subheading":
            doc.add_heading(paragraph.text, 3)
        elif "page_break" in habits and n == 0 and len(paragraph.text) > 40 and article.ordinal % 5 == 2:
            para = body(paragraph.text[:30])
            para.add_run().add_break(WD_BREAK.PAGE)
            para.add_run(paragraph.text[30:])
        else:
            body(paragraph.text)
    if "table" in habits and article.ordinal == 3:
        grid = doc.add_table(rows=2, cols=3)
        grid.style = "Table Grid"
        for r, row in enumerate([("设备", "数量", "状态"), ("执法记录仪", "120", "完好")]):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    if "picture" in habits and article.ordinal == 4:
        import io

        from PIL import Image

        image = io.BytesIO()
        Image.new("RGB", (240, 120), (40, 90, 160)).save(image, "PNG")
        image.seek(0)
        doc.add_picture(image, width=Cm(6))
        doc.add_paragraph("图1　现场照片")


def libreoffice(source: Path, out: Path, *formats: str) -> list[Path]:
    """Let LibreOffice (soffice, headless, its own profile) write ``source`` in each of ``formats``."""
    return [converted_all([source], out, fmt)[0] for fmt in formats]


def converted_all(sources: list[Path], out: Path, fmt: str) -> list[Path]:
    """Let LibreOffice write every one of ``sources`` (distinct names) in ``fmt``, in one run: starting it
    costs more than converting a file."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    out.mkdir(parents=True, exist_ok=True)
    target = out / fmt
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{out / 'lo-profile'}", "--headless", "--convert-to", fmt,
         "--outdir", str(target), *map(str, sources)],
        check=True, capture_output=True, timeout=60 + 30 * len(sources), env={**os.environ, "HOME": str(out)},
    )  # fmt: skip
    return [target / f"{source.stem}.{fmt}" for source in sources]


def scanned(pdf: Path, *, dpi: int = 200, angle: float = 0.6, seed: int = 6) -> list:
    """The pages of ``pdf`` as a scanner gives them back: drawn in grey at ``dpi`` (pdfium), turned by ``angle``
    degrees, with paper grain from ``seed`` (numpy) and JPEG artefacts (Pillow). PIL images."""
    import io
    import random

    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter

    rng, noise = random.Random(seed), np.random.default_rng(seed)
    pages = []
    document = pypdfium2.PdfDocument(str(pdf))
    for index in range(len(document)):
        image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(angle * (1 if index % 2 else -1), resample=Image.BICUBIC, expand=False, fillcolor=255)
        # Grain from the seed (Pillow's effect_noise draws from C's rand(), which depends on what ran before).
        grain = np.clip(noise.normal(128, 18, (image.height, image.width)), 0, 255).astype(np.uint8)
        grain = Image.fromarray(grain).filter(ImageFilter.GaussianBlur(0.6))
        image = Image.blend(image, grain, 0.12)
        noisy = io.BytesIO()
        image.save(noisy, "JPEG", quality=rng.randint(55, 70))
        pages.append(Image.open(io.BytesIO(noisy.getvalue())).convert("L"))
    document.close()
    return pages


def scanned_pdf(pages: list, path: Path, dpi: int = 200) -> Path:
    """The scanned pages as an image-only PDF, the way a scanner's software writes one (Pillow)."""
    pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return path


def same_issue(read, expected, *, pages: bool = True, extra: tuple[str, ...] = ()) -> None:
    """``read`` holds ``expected``'s articles, each with ≥ 0.98 text similarity and the same place."""
    got, want = read.issue, expected.issue
    assert (got.id, got.date, got.sections) == (want.id, want.date, want.sections)
    # Titles equal apart from whitespace (a PDF keeps no trace of a space typed beside Latin letters).
    assert [re.sub(r"\s", "", a.title) for a in got.articles] == [re.sub(r"\s", "", a.title) for a in want.articles]
    for a, b in zip(got.articles, want.articles, strict=True):
        assert (a.section, a.unit, a.district) == (b.section, b.unit, b.district), a.title
        if pages:
            assert a.page == b.page, a.title
        kept = [p.text for p in a.paragraphs if not any(marker in p.text for marker in extra)]
        text = "\n".join(kept)
        ratio = difflib.SequenceMatcher(None, text, b.text, autojunk=False).ratio()
        assert ratio >= 0.98, (a.title, round(ratio, 3))
        assert len(kept) == len(b.paragraphs), a.title  # paragraphs joined across pages, not split or merged
    problems = [w for w in read.warnings if w.kind in ("orphan", "empty-article")]
    assert problems == [], problems
