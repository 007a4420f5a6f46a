"""The report as one self-contained HTML file (report.html): styles inline, every plot
embedded as a PNG data URI, no script or font fetched from anywhere. A small inline
script counts the plots that decoded and are laid out on the page and writes the
count on <body>, which scripts/check-report-render.sh reads in headless Chromium."""
import base64
import html
import os

from .figures import Figure
from .tables import Cell, Table

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #1d1d1f; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: 12.5px; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #d6d6d6; padding: .25rem .5rem; }
th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.alarm { background: #fde2e1; color: #8b1a16; font-weight: 600; }
p.note, figcaption { color: #555; font-size: 12px; } figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
code { background: #f4f4f4; padding: 0 .25rem; }
"""

CHECK_SCRIPT = """
window.addEventListener('load', function () {
  var plots = document.querySelectorAll('img.plot'), visible = 0;
  plots.forEach(function (img) {
    var box = img.getBoundingClientRect();
    if (img.complete && img.naturalWidth > 0 && box.width > 0 && box.height > 0) visible++;
  });
  document.body.setAttribute('data-plots-total', plots.length);
  document.body.setAttribute('data-plots-visible', visible);
});
"""


def _cell(c, numeric):
    classes = (["num"] if numeric else []) + (["alarm"] if isinstance(c, Cell) and c.alarm and str(c) else [])
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{html.escape(str(c))}</td>"


def _table(t):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in t.headers)
    body = "".join("<tr>" + "".join(_cell(c, i in t.numeric) for i, c in enumerate(row)) + "</tr>" for row in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    return f"<table><caption>{html.escape(t.title)}</caption><tr>{head}</tr>{body}</table>{note}"


def _figure(f, report_dir):
    with open(os.path.join(report_dir, f.png), "rb") as png:
        data = base64.b64encode(png.read()).decode("ascii")
    return (f'<figure><img class="plot" alt="{html.escape(f.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption><b>{html.escape(f.title)}.</b> {html.escape(f.caption)} "
            f'(<a href="{html.escape(f.svg)}">SVG</a>)</figcaption></figure>')


def render(report, report_dir):
    parts = [f"<h1>{html.escape(report.title)}</h1>", f"<p>Run <code>{html.escape(report.run_id)}</code></p>"]
    parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in report.summary) + "</ul>")
    for section in report.sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                parts.append(_table(block))
            elif isinstance(block, Figure):
                parts.append(_figure(block, report_dir))
            else:
                parts.append(f"<p>{html.escape(str(block))}</p>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(report.title)} — {html.escape(report.run_id)}</title>"
            f"<style>{STYLE}</style><script>{CHECK_SCRIPT}</script></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
