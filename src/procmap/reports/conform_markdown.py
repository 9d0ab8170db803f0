"""The conform report as GitHub-flavoured Markdown, for a pull-request comment or a wiki page."""

from __future__ import annotations

from procmap.conform import Conformed
from procmap.reports import conform_sections as S
from procmap.reports.audit_markdown import code, escape, table


def render(item: Conformed) -> str:
    r = item.report
    parts = [f"## {escape(S.title(r))}", "", f"Blueprint: {code(r['file'])}", ""]
    parts += [escape(sentence) + "  " for sentence in S.intro(r)]
    parts.append("")
    parts += [" · ".join(f"**{escape(label)}:** {escape(value)}" for label, value in S.headline(r)), ""]
    if r["budgets"]:
        over = any(b["exceeded"] for b in r["budgets"])
        parts += [
            "**Budget exceeded**:" if over else "Within budget:",
            "",
            table(S.BUDGET_HEADERS, S.budget_rows(r)),
            "",
        ]
    for section in S.build(r, item.result.graph):
        body = table(section.headers, section.rows) if section.rows else f"_{escape(section.empty)}_"
        parts += [f"### {escape(section.title)}", "", escape(section.blurb), "", body, ""]
    return "\n".join(parts).rstrip("\n") + "\n"
