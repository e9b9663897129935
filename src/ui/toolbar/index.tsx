// Entry of toolbar.js, loaded by the tag glassbox injects into HTML pages:
// <script src="{prefix}/toolbar.js" data-glassbox-id="…" data-glassbox-prefix="…" async>.
import componentsCss from "../components/components.css";
import { defineToolbarElement } from "./element.js";
import toolbarCss from "./toolbar.css";

const script = document.currentScript as HTMLScriptElement | null;
const prefix = script?.dataset.glassboxPrefix ?? "/__glassbox";
const pageId = script?.dataset.glassboxId;

defineToolbarElement({ prefix, pageId, css: `${componentsCss}\n${toolbarCss}` });

function mount(): void {
  if (!document.querySelector("glassbox-toolbar"))
    (document.body ?? document.documentElement).append(document.createElement("glassbox-toolbar"));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount, { once: true });
else mount();
