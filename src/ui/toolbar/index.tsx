// Minimal toolbar: a handle in a Shadow DOM showing the request's time and status.
// The full toolbar (panels, themes, positions, SPA tracking) is built on this element.

const script = document.currentScript as HTMLScriptElement | null;
const id = script?.dataset.glassboxId;
const prefix = script?.dataset.glassboxPrefix ?? "/__glassbox";

interface Summary {
  durationMs: number;
  status?: number;
  stats: Record<string, number>;
}

class GlassboxToolbar extends HTMLElement {
  connectedCallback(): void {
    const root = this.attachShadow({ mode: "open" });
    const link = document.createElement("a");
    link.href = `${prefix}/`;
    link.textContent = "glassbox";
    link.setAttribute("part", "handle");
    root.append(link);
    if (!id) return;
    fetch(`${prefix}/api/requests/${encodeURIComponent(id)}`)
      .then((r) => (r.ok ? (r.json() as Promise<Summary>) : undefined))
      .then((rec) => {
        if (rec) link.textContent = `glassbox ${rec.durationMs.toFixed(1)} ms · ${rec.status ?? ""}`;
      })
      .catch(() => {});
  }
}

if (!customElements.get("glassbox-toolbar")) customElements.define("glassbox-toolbar", GlassboxToolbar);
document.body.append(document.createElement("glassbox-toolbar"));
