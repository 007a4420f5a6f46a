"""memharness's report: results documents in, Markdown + self-contained HTML + plots out.

inputs.py reads and checks what `memharness run|gate|compare` wrote; tables.py turns it
into rows both renderers share; figures.py draws the plots; markdown.py and html.py
write the two documents. scripts/report.py is the command line.
"""
