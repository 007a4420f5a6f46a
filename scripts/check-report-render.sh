#!/usr/bin/env bash
# Opens a report's HTML in headless Chromium and checks that every plot is visible:
# the page's own check (html.py) counts the plots that decoded and are laid out, and
# that count must equal the number of plots, at least one. Also checks the page
# fetches nothing from the network, and renders it to PNG (non-blank) for a look.
#   scripts/check-report-render.sh REPORT.html [SCREENSHOT.png]
set -euo pipefail
html=${1:?usage: check-report-render.sh REPORT.html [SCREENSHOT.png]}
png=${2:-${html%.html}.png}
[[ -f "$html" ]] || { echo "check-report-render: $html: no such file" >&2; exit 2; }
browser=$(command -v chromium || true)
[[ -n "$browser" ]] || { echo "check-report-render: chromium is not installed (scripts/install-deps.sh installs it)" >&2; exit 2; }

if grep -Eq '(src|href)="(https?:)?//' "$html"; then
  echo "check-report-render: $html: refers to the network; a report must be self-contained" >&2
  exit 1
fi
url="file://$(realpath "$html")"
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --virtual-time-budget=10000)
body=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null | grep -o '<body[^>]*>' || true)
total=$(sed -n 's/.*data-plots-total="\([0-9]*\)".*/\1/p' <<<"$body")
visible=$(sed -n 's/.*data-plots-visible="\([0-9]*\)".*/\1/p' <<<"$body")
if [[ -z "$total" || -z "$visible" ]]; then
  echo "check-report-render: $html: the page's plot check did not run in Chromium" >&2
  exit 1
fi
if (( total == 0 || visible != total )); then
  echo "check-report-render: $html: $visible of $total plots visible" >&2
  exit 1
fi
rm -f "$png"
timeout 120 "$browser" "${flags[@]}" --window-size=1280,7000 --screenshot="$(realpath -m "$png")" "$url" >/dev/null 2>&1 || true
/usr/bin/python3 - "$png" <<'PY'
import sys
import matplotlib.image as mpimg
path = sys.argv[1]
try:
    pixels = mpimg.imread(path)
except (OSError, ValueError, SyntaxError) as e:
    sys.exit(f"check-report-render: {path}: no screenshot ({e})")
inked = (pixels[:, :, :3].min(axis=2) < 0.9).mean()
if inked < 0.01:
    sys.exit(f"check-report-render: {path}: the rendered page is blank ({inked:.2%} inked)")
PY
echo "check-report-render: $html: $visible of $total plots visible; screenshot $png"
