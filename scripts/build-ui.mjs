// Bundles the browser UI (toolbar and dashboard) into dist/ui with esbuild: no CDN, works offline.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const outdir = "dist/ui";
mkdirSync(outdir, { recursive: true });
const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  outdir,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
};
await build({ ...common, entryPoints: { dashboard: "src/ui/dashboard/index.tsx" } });
// The toolbar bundles its CSS as text and adopts it into its shadow root (no extra request, no
// inline <style>); toolbar.css is the same CSS as a file for browsers without adoptedStyleSheets.
await build({ ...common, entryPoints: { toolbar: "src/ui/toolbar/index.tsx" }, loader: { ".css": "text" } });
const componentsCss = readFileSync("src/ui/components/components.css", "utf8");
writeFileSync(
  `${outdir}/toolbar.css`,
  `${componentsCss}\n${readFileSync("src/ui/toolbar/toolbar.css", "utf8")}`,
);
copyFileSync("src/ui/components/components.css", `${outdir}/components.css`);
// The dashboard's one stylesheet: chart library, shared view components, waterfall, page.
writeFileSync(
  `${outdir}/dashboard.css`,
  [
    "node_modules/uplot/dist/uPlot.min.css",
    "src/ui/components/components.css",
    "src/ui/components/waterfall.css",
    "src/ui/dashboard/dashboard.css",
  ]
    .map((file) => readFileSync(file, "utf8"))
    .join("\n"),
);
