"""memharness's report: results documents in, Markdown + self-contained HTML + plots out.

inputs.py reads and checks what `memharness run|gate|compare` wrote (results of schema
version 2, made with the meter in the allocation path); variants.py reads the variant
list (cmake/variants.txt); tables.py turns the inputs into rows both renderers share;
figures.py draws the plots; markdown.py and html.py write the two documents.
scripts/report.py is the command line. readme.py renders the README's generated blocks
(scripts/readme_figures.py) from reports/example/data/; logs.py reads the logs of
.ci/run and scripts/run.sh that feed it.
"""
