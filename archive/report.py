"""A parsed issue as a short Chinese report for the person who checks it."""

from __future__ import annotations

from collections import Counter

from .model import ParsedIssue
from .reader import BY_NAME


def summary(parsed: ParsedIssue) -> list[str]:
    issue = parsed.issue
    lines = [
        f"{issue.source_name}：《{issue.title}》{issue.label}（编号 {issue.id}）",
        f"  出版日期：{issue.date.year}年{issue.date.month}月{issue.date.day}日"
        + (f"    编印：{issue.publisher}" if issue.publisher else ""),
        f"  格式：{(BY_NAME[parsed.form].label if parsed.form in BY_NAME else parsed.form)}"
        + (f"，编码 {parsed.encoding}" if parsed.encoding != "binary" else "")
        + "；"
        f"共 {len(issue.articles)} 篇（其中刊首语 {sum(a.editorial for a in issue.articles)} 篇）",
        "  栏目：",
    ]
    per_section = Counter(a.section for a in issue.articles)
    for section in issue.sections:
        lines.append(f"    【{section}】 {per_section.get(section, 0)} 篇")
    units = Counter(a.unit for a in issue.articles if a.unit)
    if units:
        lines.append("  单位：" + "，".join(f"{u} {n}" for u, n in units.items()))
    districts = Counter(a.district for a in issue.articles if a.district)
    if districts:
        lines.append("  区域：" + "，".join(f"{d} {n}" for d, n in districts.items()))
    places = sorted({a.place for a in issue.articles if a.place and not a.district})
    if places:
        lines.append("  外地：" + "，".join(places))
    if parsed.warnings:
        lines.append(f"  警告 {len(parsed.warnings)} 条（请人工核对）：")
        lines.extend(f"    {w}" for w in parsed.warnings)
    else:
        lines.append("  没有警告。")
    return lines
