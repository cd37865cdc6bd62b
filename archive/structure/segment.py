"""Segmentation: an issue's blocks into sections and articles, after its masthead and contents.

The table of contents is the authority on what is an article: a heading the
contents does not list is a subheading of the article it sits in, whatever
its level. Without contents, "单位：标题" headings start articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import units
from ..blocks import Block
from ..errors import NotABulletinError, TocMismatchError
from ..furniture import is_footer_line, is_page_number, is_running_header
from ..model import Article, Issue, Paragraph, ParsedIssue, ParseWarning, TocEntry, article_id, issue_id
from .contents import MAX_TITLE, SECTION, TocMatcher, read_toc
from .masthead import DEFAULT_MASTHEAD, masthead_end, read_masthead
from .repair import Join, Para, continuation, is_complete

EDITORIAL_SECTIONS = ("刊首语", "卷首语", "编者按")

_UNIT_TITLE = re.compile(r"^[^：:，。！？\s]{2,12}[：:]\s*\S.{2,60}$")
_SOURCE = re.compile(r"^[（(]\s*(?:摘编自|摘自|来源|转载自|选自|转自|原载)\s*[：:].{1,60}[）)]$")


def parse_blocks(blocks: list[Block], *, name: str, sha256: str, form: str, encoding: str) -> ParsedIssue:
    """Build the issue from ``blocks``; raise an ArchiveError naming what is missing."""
    return _Parser(blocks, name).parse(sha256=sha256, form=form, encoding=encoding)


@dataclass
class _Draft:
    title: str
    section: str
    line: int
    entry: TocEntry | None
    editorial: bool = False
    page: int | None = None
    paras: list[Para] = field(default_factory=list)
    source: str | None = None
    source_page: int | None = None


class _Parser:
    def __init__(self, blocks: list[Block], name: str):
        self.blocks = blocks
        self.name = name
        self.warnings: list[ParseWarning] = []
        self.masthead = DEFAULT_MASTHEAD
        self.label = ""

    def warn(self, line: int | None, message: str, kind: str = "note") -> None:
        self.warnings.append(ParseWarning(line, message, kind))

    def parse(self, *, sha256: str, form: str, encoding: str) -> ParsedIssue:
        if not self.blocks:
            raise NotABulletinError("文件里没有可读的文字。请确认这是一期简报。", file=self.name)
        head_end = masthead_end(self.blocks)
        head = read_masthead(self.blocks[:head_end], self.name)
        iid = issue_id(head.year, head.number)
        self.masthead, self.label = head.title, head.label
        toc, body_start = read_toc(self.blocks, head_end, self.warn)
        drafts = self._segment(self.blocks[body_start:], toc)
        if not drafts:
            raise NotABulletinError(
                "正文中找不到任何文章（既没有目录能对上的标题，也没有“单位：标题”形式的标题）。"
                "请确认这是一期《北京城管科技信息动态》。",
                file=self.name,
            )
        articles = tuple(self._article(iid, i, d) for i, d in enumerate(drafts, start=1))
        sections = _ordered_unique([e.section for e in toc if e.is_section] + [a.section for a in articles])
        issue = Issue(
            id=iid,
            year=head.year,
            number=head.number,
            date=head.date,
            title=head.title,
            publisher=head.publisher,
            sections=tuple(s for s in sections if s),
            articles=articles,
            toc=tuple(toc),
            source_name=self.name.replace("\\", "/").rsplit("/", 1)[-1],
            sha256=sha256,
        )
        return ParsedIssue(issue, tuple(self.warnings), encoding=encoding, form=form)

    # -- body --------------------------------------------------------------

    def _segment(self, body: list[Block], toc: list[TocEntry]) -> list[_Draft]:
        matcher = TocMatcher([e for e in toc if not e.is_section])
        has_toc = bool(matcher.entries)
        section_pages = {e.section: e.page for e in toc if e.is_section}
        sections_with_articles = {e.section for e in matcher.entries}
        drafts: list[_Draft] = []
        draft: _Draft | None = None
        section = ""
        page_break = False
        i = 0
        while i < len(body):
            block = body[i]
            text = block.text.strip()
            i += 1
            if block.kind == "rule":
                if not any(self._starts_something(b, matcher, has_toc) for b in body[i:]):
                    dropped = [b for b in body[i:] if b.kind != "rule"]
                    if dropped:
                        self.warn(block.line, f"删除文末的网站页脚（{len(dropped)} 行）。", "footer")
                    break
                page_break = True
                continue
            if block.kind == "para" and is_page_number(text):
                self.warn(block.line, f"删除页码“{text}”。", "page-number")
                page_break = True
                continue
            if block.kind != "heading" and is_running_header(text, self.masthead, self.label):
                self.warn(block.line, f"删除页眉“{text}”。", "running-header")
                page_break = True
                continue
            if block.kind == "para" and is_footer_line(text, self.masthead):
                self.warn(block.line, f"删除页脚“{text}”。", "footer")
                page_break = True
                continue
            if sec := SECTION.match(text):
                section = sec.group(1)
                draft = None
                if section in EDITORIAL_SECTIONS:
                    draft = _Draft(section, section, block.line, None, True, section_pages.get(section))
                    draft.source_page = block.page
                    drafts.append(draft)
                continue
            if len(text) <= MAX_TITLE and (block.kind == "heading" or not is_complete(text)):
                found = matcher.match(text, body[i].text if i < len(body) else None)
                if found:
                    entry, exact, used_next = found
                    if used_next:
                        text = f"{text}{body[i].text.strip()}"
                        self.warn(block.line, f"标题跨行，已合并为“{text}”。", "title-join")
                        i += 1
                    if not exact:
                        self.warn(
                            block.line,
                            f"正文标题“{text}”与目录“{entry.title}”不完全一致，保留正文的写法。",
                            "title-mismatch",
                        )
                    if entry.section and section and entry.section != section:
                        self.warn(block.line, f"目录把“{text}”列在【{entry.section}】，正文在【{section}】。")
                    draft = _Draft(text, section or entry.section, block.line, entry, page=entry.page)
                    draft.source_page = block.page
                    if entry.page and block.page and entry.page != block.page:
                        self.warn(
                            block.line,
                            f"目录说“{text}”在第 {entry.page} 页，实际在第 {block.page} 页。",
                            "page-mismatch",
                        )
                    drafts.append(draft)
                    page_break = False
                    continue
                if not has_toc and _starts_unit_article(block, text, draft, section):
                    draft = _Draft(text, section, block.line, None)
                    draft.source_page = block.page
                    drafts.append(draft)
                    page_break = False
                    continue
            if draft is None and section and section not in sections_with_articles:
                # A section the contents lists without articles is one article of its own.
                draft = _Draft(section, section, block.line, None, page=section_pages.get(section))
                drafts.append(draft)
            if draft is None:
                self.warn(block.line, f"这段文字不属于任何文章，已略过：“{_clip(text)}”。", "orphan")
                continue
            if block.kind == "heading" or block.bold:
                draft.paras.append(Para(text, block.line, "subheading"))
            elif _SOURCE.match(text):
                draft.source = text
            else:
                self._add_paragraph(draft, block, text, page_break)
            page_break = False
        missing = matcher.missing()
        if missing:
            listed = "；".join(f"第 {e.line} 行“{e.title}”" for e in missing)
            raise TocMismatchError(
                f"目录中有 {len(missing)} 篇文章在正文中找不到：{listed}。"
                "请核对正文标题与目录是否一致（允许相差一两个字），或修正目录后重试。",
                file=self.name,
                line=missing[0].line,
            )
        return drafts

    def _starts_something(self, block: Block, matcher: TocMatcher, has_toc: bool) -> bool:
        text = block.text.strip()
        if SECTION.match(text):
            return True
        if matcher.peek(text):
            return True
        return not has_toc and block.kind == "heading"

    def _add_paragraph(self, draft: _Draft, block: Block, text: str, page_break: bool) -> None:
        row = "\t" in text
        text = text.replace("\t", " | ")
        prev = draft.paras[-1] if draft.paras else None
        broken = page_break or block.gap > 0
        if row:
            draft.paras.append(Para(text, block.line, row=True))
            return
        if prev is not None and prev.kind == "text" and not prev.row:
            before = prev.text
            join = continuation(before, text)
            if join is None and block.continues:
                join = Join(before + text)
            if join is not None:
                prev.text = join.text
                if join.dropped:
                    self.warn(block.line, f"删除页面断开处重复的“{join.dropped}”，与上一段合并。", "repeat")
                elif broken:
                    self.warn(
                        block.line,
                        f"段落在页面处断开，已与上一段合并：“…{before[-8:]}”+“{text[:8]}…”。",
                        "join",
                    )
                return
        if (
            prev is not None
            and len(text) <= 30
            and not is_complete(text)
            and is_complete(prev.text)
            and block.kind == "para"
            and "\t" not in block.text
        ):
            # A short line with no closing punctuation after a finished paragraph: a subheading.
            draft.paras.append(Para(text, block.line, "subheading"))
            return
        draft.paras.append(Para(text, block.line))

    def _article(self, iid: str, ordinal: int, draft: _Draft) -> Article:
        if draft.editorial:
            unit = district = place = None
        else:
            unit, _ = units.split_title(draft.title)
            district = units.area_of(unit)
            place = units.place_of(unit, district)
        paragraphs = tuple(Paragraph(p.text, p.kind) for p in draft.paras)  # type: ignore[arg-type]
        if not paragraphs:
            self.warn(draft.line, f"文章“{draft.title}”没有正文。", "empty-article")
        return Article(
            id=article_id(iid, ordinal),
            issue_id=iid,
            ordinal=ordinal,
            section=draft.section,
            title=draft.title,
            unit=unit,
            district=district,
            place=place,
            page=draft.page,
            paragraphs=paragraphs,
            source=draft.source,
            editorial=draft.editorial,
            toc_title=draft.entry.title if draft.entry else None,
            line=draft.line,
            source_page=draft.source_page,
        )


def _starts_unit_article(block: Block, text: str, draft: _Draft | None, section: str) -> bool:
    if _UNIT_TITLE.match(text) and not is_complete(text):
        return block.kind == "heading" or block.bold or draft is None or bool(draft.paras)
    # Without contents, a section's first heading must begin an article.
    return block.kind == "heading" and bool(section) and (draft is None or draft.section != section)


def _ordered_unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _clip(text: str, size: int = 30) -> str:
    return text if len(text) <= size else text[:size] + "…"
