"""The report as Markdown (report.md), figures linked as PNG beside it."""
from .figures import Figure
from .tables import Cell, Table


def _escape(text):
    return str(text).replace("|", "\\|")


def _table(t):
    lines = [f"**{t.title}**", ""]
    lines.append("| " + " | ".join(_escape(h) for h in t.headers) + " |")
    lines.append("|" + "|".join("---:" if i in t.numeric else "---" for i in range(len(t.headers))) + "|")
    for row in t.rows:
        cells = [f"**{_escape(c)}**" if isinstance(c, Cell) and c.alarm and str(c) else _escape(c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    if t.note:
        lines += ["", f"_{t.note}_"]
    return "\n".join(lines)


def _figure(f):
    return f"![{f.title}]({f.png})\n\n_{f.caption}_ ([SVG]({f.svg}))"


def render(report):
    out = [f"# {report.title}", "", f"Run `{report.run_id}`", ""]
    out += [f"- {line}" for line in report.summary]
    for section in report.sections:
        out += ["", f"## {section.heading}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                out.append(_table(block))
            elif isinstance(block, Figure):
                out.append(_figure(block))
            else:
                out.append(str(block))
            out.append("")
    return "\n".join(out).rstrip() + "\n"
