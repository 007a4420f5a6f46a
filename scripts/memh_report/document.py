"""The report as a document: a title, summary lines, then sections of paragraphs,
tables and figures, rendered by markdown.py and html.py alike."""
from dataclasses import dataclass, field


@dataclass
class Section:
    heading: str
    blocks: list = field(default_factory=list)  # str (a paragraph), tables.Table, figures.Figure


@dataclass
class Report:
    title: str
    run_id: str
    summary: list = field(default_factory=list)  # one line each
    sections: list = field(default_factory=list)
