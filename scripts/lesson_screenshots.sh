#!/usr/bin/env bash
# Renders each lesson to HTML (jupyter nbconvert, with its saved outputs) and
# takes a screenshot of it in headless Chromium: docs/lesson-NN.png, linked
# from the README's lesson table. Run after the notebooks are saved:
#   bash scripts/lesson_screenshots.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=target/lesson-html
mkdir -p "$out" docs
chromium=$(command -v chromium || command -v chromium-browser) || {
    echo "lesson_screenshots: needs Debian's chromium (apt-get install -y --no-install-recommends chromium fonts-liberation)" >&2
    exit 1
}
for nb in notebooks/0*.ipynb; do
    name=$(basename "$nb" .ipynb)
    .venv/bin/jupyter nbconvert --to html --output-dir "$out" "$nb" >/dev/null 2>&1
    png="docs/lesson-${name%%_*}.png"
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1100,1500 --screenshot="$png" "file://$PWD/$out/$name.html" >/dev/null 2>&1
    echo "lesson_screenshots: $png"
done
