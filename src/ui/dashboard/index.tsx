import { render } from "preact";
import { useEffect } from "preact/hooks";
import { ViewActionsProvider } from "../components/actions.js";
import { createApi } from "../shared/api.js";
import { useDarkScheme } from "../shared/dark-scheme.js";
import { prefix } from "./api.js";
import { ComparePage } from "./compare-page.js";
import { DetailPage } from "./detail-page.js";
import { ListPage } from "./list-page.js";
import { useHashRoute } from "./router.js";
import { TrendsPage } from "./trends-page.js";

// The dashboard: a hash-routed single page over glassbox's JSON API. Every value is rendered as
// text (Preact escapes it); the page runs under `script-src 'self'; style-src 'self'`.

const NAV = [
  { href: "#/", label: "Requests", match: (p: string) => p === "/" || p.startsWith("/requests") },
  { href: "#/trends", label: "Trends", match: (p: string) => p === "/trends" },
  { href: "#/compare", label: "Compare", match: (p: string) => p === "/compare" },
];

/** Light or dark, following the OS. */
function useTheme(): "light" | "dark" {
  return useDarkScheme() ? "dark" : "light";
}

function App() {
  const route = useHashRoute();
  const theme = useTheme();
  useEffect(() => {
    document.documentElement.className = `gb-theme-${theme}`;
  }, [theme]);
  const detail = /^\/requests\/([\w-]{1,64})$/.exec(route.path);
  let page: preact.JSX.Element;
  if (detail) page = <DetailPage id={detail[1]!} params={route.params} />;
  else if (route.path === "/trends") page = <TrendsPage params={route.params} />;
  else if (route.path === "/compare") page = <ComparePage params={route.params} />;
  else if (route.path === "/") page = <ListPage params={route.params} />;
  else page = <p class="gb-error">No dashboard page at {route.path}.</p>;
  return (
    <div class="gb-app">
      <header class="gb-top">
        <a class="gb-brand" href="#/">
          glassbox
        </a>
        <nav aria-label="Dashboard">
          {NAV.map((n) => (
            <a key={n.href} href={n.href} aria-current={n.match(route.path) ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
      </header>
      <main class="gb-main">{page}</main>
    </div>
  );
}

const root = document.getElementById("glassbox-dashboard");
if (root)
  render(
    <ViewActionsProvider actions={createApi(prefix)}>
      <App />
    </ViewActionsProvider>,
    root,
  );
