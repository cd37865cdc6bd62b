"""Build .docx and PDF fixtures from a parsed issue, the way the office produces them.

The .docx uses Word's heading styles, bold titles, a typed or a Word-field table of contents, and
optionally a table. The PDF is set in reportlab's built-in STSong-Light CID font (no font file
needed), with a running header, a page-number footer, a first-line indent, and paragraphs that
break across pages; it records on which page each article title was drawn.
"""

from __future__ import annotations

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
