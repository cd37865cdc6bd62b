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


@dataclass
class _State:
    """Where segmentation is: the contents to match titles against, the articles so far, the current article
    and section, and whether a page just broke."""

    matcher: TocMatcher
    has_toc: bool
    section_pages: dict[str, int | None]
    with_articles: set[str]  # the sections whose articles the contents lists
    drafts: list[_Draft] = field(default_factory=list)
    draft: _Draft | None = None
    section: str = ""
    page_break: bool = False

    @classmethod
    def of(cls, toc: list[TocEntry]) -> _State:
        matcher = TocMatcher([e for e in toc if not e.is_section])
        pages = {e.section: e.page for e in toc if e.is_section}
        return cls(matcher, bool(matcher.entries), pages, {e.section for e in matcher.entries})

    def start(self, draft: _Draft, block: Block, *, titled: bool = True) -> None:
        """Begin the article ``draft`` at ``block`` (a title ends a page break; a section's own article does
        not)."""
        draft.source_page = block.page
        self.draft = draft
        self.drafts.append(draft)
        self.page_break = self.page_break and not titled


class _Parser:
    def __init__(self, blocks: list[Block], name: str):
        self.blocks = blocks
        self.name = name
        self.warnings: list[ParseWarning] = []
        self.pages_checked: list[tuple[int, str, int, int]] = []  # line, title, contents' page, file's page
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
        self._page_notices()
        return ParsedIssue(issue, tuple(self.warnings), encoding=encoding, form=form)

    def _page_notices(self) -> None:
        """The contents' page numbers against the pages the titles stand on in the file: one notice when every
        entry is off by the same amount (the contents count pages another way, e.g. without the cover), else
        one a title that differs."""
        differing = [(line, text, toc, real) for line, text, toc, real in self.pages_checked if toc != real]
        offsets = {real - toc for _, _, toc, real in differing}
        if len(differing) >= 3 and len(differing) == len(self.pages_checked) and len(offsets) == 1:
            offset = offsets.pop()
            self.warn(
                differing[0][0],
                f"目录的 {len(differing)} 个页码都比文件中的页数{'少' if offset > 0 else '多'} {abs(offset)}："
                "目录印的是刊物自己的页码（如不计封面），不是目录错了；文章按目录的页码引用。",
                "page-offset",
            )
            return
        for line, text, toc, real in differing:
            self.warn(line, f"目录说“{text}”在第 {toc} 页，它在文件中从第 {real} 页开始；文章按目录的页码引用。",
                      "page-mismatch")  # fmt: skip

    # -- body --------------------------------------------------------------

    def _segment(self, body: list[Block], toc: list[TocEntry]) -> list[_Draft]:
        """The body's articles (drafts), each from its title to the next; page furniture dropped."""
        state = _State.of(toc)
        i = 0
        while i < len(body):
            block = body[i]
            text = block.text.strip()
            i += 1
            furniture = self._furniture(block, text, body[i:], state)
            if furniture == "end":
                break
            if furniture or self._section(block, text, state):
                continue
            taken = self._title(block, text, body[i] if i < len(body) else None, state)
            if taken is not None:
                i += taken
                continue
            self._body_text(block, text, state)
        missing = state.matcher.missing()
        if missing:
            listed = "；".join(f"第 {e.line} 行“{e.title}”" for e in missing)
            raise TocMismatchError(
                f"目录中有 {len(missing)} 篇文章在正文中找不到：{listed}。"
                "请核对正文标题与目录是否一致（允许相差一两个字），或修正目录后重试。",
                file=self.name,
                line=missing[0].line,
            )
        return state.drafts

    def _furniture(self, block: Block, text: str, rest: list[Block], state: _State) -> bool | str:
        """Drop page furniture (page numbers, running headers, footers; a page break marks it); ``"end"`` at a
        rule after which nothing starts (a web page's footer)."""
        if block.kind == "rule":
            if not any(self._starts_something(b, state.matcher, state.has_toc) for b in rest):
                dropped = [b for b in rest if b.kind != "rule"]
                if dropped:
                    self.warn(block.line, f"删除文末的网站页脚（{len(dropped)} 行）。", "footer")
                return "end"
        elif block.kind == "para" and is_page_number(text):
            self.warn(block.line, f"删除页码“{text}”。", "page-number")
        elif block.kind != "heading" and is_running_header(text, self.masthead, self.label):
            self.warn(block.line, f"删除页眉“{text}”。", "running-header")
        elif block.kind == "para" and is_footer_line(text, self.masthead):
            self.warn(block.line, f"删除页脚“{text}”。", "footer")
        else:
            return False
        state.page_break = True
        return True

    def _section(self, block: Block, text: str, state: _State) -> bool:
        """A section heading (【区局动态】) starts a section; an editorial section is an article of its own."""
        found = SECTION.match(text)
        if not found:
            return False
        state.section, state.draft = found.group(1), None
        if state.section in EDITORIAL_SECTIONS:
            page = state.section_pages.get(state.section)
            state.start(_Draft(state.section, state.section, block.line, None, True, page), block, titled=False)
        return True

    def _title(self, block: Block, text: str, following: Block | None, state: _State) -> int | None:
        """An article's title (one the contents lists, or "单位：标题" where there are no contents) starts an
        article; how many blocks after it the title took (0 or 1), None if ``block`` is no title."""
        if len(text) > MAX_TITLE or (block.kind != "heading" and is_complete(text)):
            return None
        found = state.matcher.match(text, following.text if following else None)
        if not found:
            if state.has_toc or not _starts_unit_article(block, text, state.draft, state.section):
                return None
            state.start(_Draft(text, state.section, block.line, None), block)
            return 0
        entry, exact, used_next = found
        if used_next:
            assert following is not None
            text = f"{text}{following.text.strip()}"
            self.warn(block.line, f"标题跨行，已合并为“{text}”。", "title-join")
        if not exact:
            self.warn(
                block.line, f"正文标题“{text}”与目录“{entry.title}”不完全一致，保留正文的写法。", "title-mismatch"
            )
        if entry.section and state.section and entry.section != state.section:
            self.warn(block.line, f"目录把“{text}”列在【{entry.section}】，正文在【{state.section}】。")
        if entry.page and block.page:
            self.pages_checked.append((block.line, text, entry.page, block.page))
        state.start(_Draft(text, state.section or entry.section, block.line, entry, page=entry.page), block)
        return 1 if used_next else 0

    def _body_text(self, block: Block, text: str, state: _State) -> None:
        """A paragraph, subheading or source line of the current article."""
        if state.draft is None and state.section and state.section not in state.with_articles:
            # A section the contents lists without articles is one article of its own.
            page = state.section_pages.get(state.section)
            state.draft = _Draft(state.section, state.section, block.line, None, page=page)
            state.drafts.append(state.draft)
        draft = state.draft
        if draft is None:
            self.warn(block.line, f"这段文字不属于任何文章，已略过：“{_clip(text)}”。", "orphan")
            return
        if block.kind == "heading" or block.bold:
            draft.paras.append(Para(text, block.line, "subheading"))
        elif _SOURCE.match(text):
            draft.source = text
        else:
            self._add_paragraph(draft, block, text, state.page_break)
        state.page_break = False

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
