import { render } from "preact";
import { ViewActionsProvider } from "../components/actions.js";
import { createApi } from "../shared/api.js";
import { Toolbar } from "./app.js";
import { loadPrefs, pageStorage } from "./prefs.js";
import { installTracker, subscribeCalls } from "./tracker.js";

export interface ToolbarConfig {
  prefix: string;
  pageId: string | undefined;
  /** The toolbar's CSS, bundled as text; adopted into the shadow root where the browser can. */
  css: string;
}

/**
 * Defines `<glassbox-toolbar>` once. The element renders into its own shadow root: the page's
 * CSS cannot reach in (even `* { all: unset }`) and the toolbar's cannot leak out. No inline
 * <style> or style="" is ever written, so a strict page CSP (style-src 'self') allows it:
 * styles are a constructed stylesheet, or a <link> to the prefix where that is unsupported.
 *
 * @example
 * defineToolbarElement({ prefix: "/__glassbox", pageId: "abc", css });
 * document.body.append(document.createElement("glassbox-toolbar"));
 */
export function defineToolbarElement(config: ToolbarConfig): void {
  if (customElements.get("glassbox-toolbar")) return;
  const tracker = installTracker(window, config.prefix);
  const api = createApi(config.prefix, (input, init) => tracker.originalFetch.call(window, input, init));

  class GlassboxToolbarElement extends HTMLElement {
    connectedCallback(): void {
      if (this.shadowRoot) return;
      shieldHost(this);
      const root = this.attachShadow({ mode: "open" });
      adoptStyles(root, config);
      const mount = document.createElement("div");
      root.append(mount);
      const storage = pageStorage();
      render(
        <ViewActionsProvider actions={api}>
          <Toolbar
            prefix={config.prefix}
            pageId={config.pageId}
            api={api}
            initialPrefs={loadPrefs(storage)}
            storage={storage}
            onCall={(listener) => subscribeCalls(tracker, listener)}
          />
        </ViewActionsProvider>,
        mount,
      );
    }
  }
  customElements.define("glassbox-toolbar", GlassboxToolbarElement);
}

/**
 * The host element is the one part of the toolbar in the page's light DOM. Inline !important
 * declarations set through CSSOM (allowed under any CSP) outrank page rules such as
 * `* { all: unset }` or `body > * { display: none !important }`.
 */
function shieldHost(host: HTMLElement): void {
  const s = host.style;
  s.setProperty("all", "initial", "important");
  s.setProperty("display", "block", "important");
  s.setProperty("position", "static", "important");
  s.setProperty("visibility", "visible", "important");
  s.setProperty("opacity", "1", "important");
}

function adoptStyles(root: ShadowRoot, config: ToolbarConfig): void {
  if (
    "adoptedStyleSheets" in root &&
    typeof CSSStyleSheet === "function" &&
    "replaceSync" in CSSStyleSheet.prototype
  ) {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(config.css);
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // Fall through to the stylesheet file.
    }
  }
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = `${config.prefix}/toolbar.css`;
  root.append(link);
}
