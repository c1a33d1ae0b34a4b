#!/usr/bin/env bash
# Copy the pinned front-end packages (package.json) into static/vendor/, with their licences.
# Run after changing a version: `npm ci && devtools/vendor.sh`, then commit static/vendor/.
# The portal itself never needs Node and loads nothing from other hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
nm=node_modules
out=static/vendor
rm -rf "$out"
mkdir -p "$out/rijkshuisstijl" "$out/htmx" "$out/fira-sans"

cp "$nm/@rijkshuisstijl-community/design-tokens/dist/index.css" "$out/rijkshuisstijl/design-tokens.css"
cp "$nm/@rijkshuisstijl-community/design-tokens/LICENSE.md" "$out/rijkshuisstijl/LICENSE-design-tokens.md"
cp "$nm/@rijkshuisstijl-community/components-css/dist/index.css" "$out/rijkshuisstijl/components.css"
cp "$nm/@rijkshuisstijl-community/components-css/LICENSE.md" "$out/rijkshuisstijl/LICENSE-components-css.md"

cp "$nm/htmx.org/dist/htmx.min.js" "$out/htmx/htmx.min.js"
cp "$nm/htmx.org/LICENSE" "$out/htmx/LICENSE"

for weight in 400 700; do
  cp "$nm/@fontsource/fira-sans/files/fira-sans-latin-$weight-normal.woff2" "$out/fira-sans/"
done
cp "$nm/@fontsource/fira-sans/LICENSE" "$out/fira-sans/LICENSE"
cat > "$out/fira-sans/fira-sans.css" <<'CSS'
/* Fira Sans (SIL Open Font License 1.1), latin subset, from @fontsource/fira-sans. */
@font-face { font-family: "Fira Sans"; font-style: normal; font-display: swap; font-weight: 400;
  src: url("fira-sans-latin-400-normal.woff2") format("woff2"); }
@font-face { font-family: "Fira Sans"; font-style: normal; font-display: swap; font-weight: 700;
  src: url("fira-sans-latin-700-normal.woff2") format("woff2"); }
CSS

node -e '
const pkg = require("./package.json");
const lines = Object.keys(pkg.dependencies).map((name) => `${name} ${require(`./node_modules/${name}/package.json`).version}`);
require("fs").writeFileSync("static/vendor/VERSIONS.txt", lines.join("\n") + "\n");
'
echo "vendored into $out:"; cat "$out/VERSIONS.txt"
