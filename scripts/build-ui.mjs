// Bundles the browser UI (toolbar and dashboard) into dist/ui with esbuild: no CDN, works offline.

import { copyFileSync, mkdirSync } from "node:fs";
import { build } from "esbuild";

const outdir = "dist/ui";
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { toolbar: "src/ui/toolbar/index.tsx", dashboard: "src/ui/dashboard/index.tsx" },
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  outdir,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync("src/ui/dashboard/dashboard.css", `${outdir}/dashboard.css`);
