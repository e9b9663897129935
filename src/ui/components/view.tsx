import { Component, type ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { Tone, ViewNode, ViewValue } from "../shared/types.js";
import { ActionView, RowDetailSlot, useRowDetail } from "./actions.js";
import { type Token, tokenizeJson, tokenizeSql } from "./highlight.js";
import { JsonTree } from "./json-tree.js";

/** Table rows rendered at first; more on request, so a 10k-row table cannot freeze the page. */
const ROW_PAGE = 200;

/**
 * Renders a panel's view (the tree of view nodes a panel's `view()` returns). The one renderer
 * the toolbar and the dashboard share: a new panel needs no UI code. Every string is shown as
 * text (Preact escapes it); nothing here writes HTML. Load `components.css` for its styles.
 *
 * @example
 * <PanelView nodes={views.request} />
 */
export function PanelView({ nodes }: { nodes: ViewNode[] }) {
  if (!Array.isArray(nodes)) return <JsonTree value={nodes} />;
  return (
    <Guard value={nodes}>
      <div class="gb-view">
        {nodes.map((node, i) => (
          <NodeView key={i} node={node} />
        ))}
      </div>
    </Guard>
  );
}

/**
 * Renders one view node. A node of an unknown type (a newer server, a custom panel's mistake)
 * is shown as a JSON tree rather than dropped.
 *
 * @example
 * <NodeView node={{ type: "badge", text: "200", tone: "ok" }} />
 */
export function NodeView({ node }: { node: ViewNode }) {
  if (node === null || typeof node !== "object") return <ValueView value={node as ViewValue} />;
  switch (node.type) {
    case "section":
      return <SectionView title={node.title} collapsed={node.collapsed === true} nodes={node.children} />;
    case "kv":
      return (
        <dl class="gb-kv">
          {asArray(node.entries).map(([key, value], i) => (
            <div class="gb-kv-row" key={i}>
              <dt>{String(key)}</dt>
              <dd>
                <ValueView value={value} />
              </dd>
            </div>
          ))}
        </dl>
      );
    case "table":
      return <TableView columns={asArray(node.columns)} rows={asArray(node.rows)} caption={node.caption} />;
    case "code":
      return <CodeView language={node.language} text={String(node.text ?? "")} truncated={node.truncated} />;
    case "stack": {
      const frames = asArray(node.frames);
      if (frames.length === 1) return <FrameView frame={frames[0]!} single />;
      return (
        <ol class="gb-stack">
          {frames.map((f, i) => (
            <li key={i}>
              <FrameView frame={f} />
            </li>
          ))}
        </ol>
      );
    }
    case "json":
      return <JsonTree value={node.value} />;
    case "text":
      return <p class={`gb-text ${toneClass(node.tone)}`}>{String(node.text)}</p>;
    case "badge":
      return <Badge text={String(node.text)} tone={node.tone} />;
    case "list":
      return (
        <ul class="gb-list">
          {asArray(node.items).map((item, i) => (
            <li key={i}>
              <NodeView node={item} />
            </li>
          ))}
        </ul>
      );
    case "action":
      return <ActionView node={node} renderNodes={renderNodes} />;
    default:
      return <JsonTree value={node} />;
  }
}

function renderNodes(nodes: ViewNode[]) {
  return nodes.map((node, i) => <NodeView key={i} node={node} />);
}

/**
 * A small label with a tone ("200" in green, "error" in red).
 *
 * @example
 * <Badge text="3 alerts" tone="warning" />
 */
export function Badge({ text, tone }: { text: string; tone?: Tone | undefined }) {
  return <span class={`gb-badge ${toneClass(tone)}`}>{text}</span>;
}

type Frame = { file: string; line: number; column?: number; fn?: string };

/** One stack frame as "fn file:line:column". */
function FrameView({ frame, single }: { frame: Frame; single?: boolean }) {
  return (
    <span class={single ? "gb-stack-one" : undefined}>
      {frame.fn ? <span class="gb-stack-fn">{String(frame.fn)} </span> : null}
      <span class="gb-stack-file">
        {String(frame.file)}:{String(frame.line)}
        {frame.column ? `:${frame.column}` : ""}
      </span>
    </span>
  );
}

function ValueView({ value }: { value: ViewValue }) {
  if (value === null || value === undefined) return <span class="gb-muted">—</span>;
  if (typeof value === "object") return <NodeView node={value} />;
  return <>{String(value)}</>;
}

function SectionView({ title, collapsed, nodes }: { title: string; collapsed: boolean; nodes: ViewNode[] }) {
  const [open, setOpen] = useState(!collapsed);
  return (
    <section class="gb-section">
      <h3 class="gb-section-title">
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span class="gb-caret" aria-hidden="true">
            {open ? "▾" : "▸"}
          </span>
          {String(title)}
        </button>
      </h3>
      {open && (
        <div class="gb-section-body">
          {asArray(nodes).map((node, i) => (
            <NodeView key={i} node={node} />
          ))}
        </div>
      )}
    </section>
  );
}

function TableView({
  columns,
  rows,
  caption,
}: {
  columns: string[];
  rows: ViewValue[][];
  caption?: string | undefined;
}) {
  const [shown, setShown] = useState(ROW_PAGE);
  if (rows.length === 0)
    return <p class="gb-text gb-tone-muted">{caption ? `${caption}: empty` : "Nothing to show."}</p>;
  return (
    <div class="gb-table-wrap">
      <table class="gb-table">
        {caption ? <caption>{String(caption)}</caption> : null}
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {String(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, shown).map((row, r) => (
            <TableRow key={r} cells={asArray(row)} width={columns.length} />
          ))}
        </tbody>
      </table>
      {rows.length > shown && (
        <button type="button" class="gb-more" onClick={() => setShown(shown + ROW_PAGE * 5)}>
          Show more rows ({rows.length - shown} hidden)
        </button>
      )}
    </div>
  );
}

/** One row; what an action in it answers (an EXPLAIN plan) shows in a full-width row below. */
function TableRow({ cells, width }: { cells: ViewValue[]; width: number }) {
  const [publish, detail] = useRowDetail();
  return (
    <>
      <tr>
        <RowDetailSlot.Provider value={publish}>
          {cells.map((cell, c) => (
            <td key={c}>
              <ValueView value={cell} />
            </td>
          ))}
        </RowDetailSlot.Provider>
      </tr>
      {detail && (
        <tr class="gb-row-detail">
          <td colSpan={Math.max(width, cells.length, 1)}>{detail}</td>
        </tr>
      )}
    </>
  );
}

function CodeView({
  language,
  text,
  truncated,
}: {
  language: string;
  text: string;
  truncated?: boolean | undefined;
}) {
  // The toolbar re-renders on every page call it tracks: tokenize a code block once per text.
  const tokens = useMemo(() => tokensFor(language, text), [language, text]);
  return (
    <div class="gb-code-wrap">
      <pre class={`gb-code gb-lang-${language === "sql" || language === "json" ? language : "text"}`}>
        <code>
          {tokens
            ? tokens.map((t, i) =>
                t.kind === "plain" ? (
                  t.text
                ) : (
                  <span key={i} class={`gb-tok-${t.kind}`}>
                    {t.text}
                  </span>
                ),
              )
            : text}
        </code>
      </pre>
      {truncated ? <p class="gb-text gb-tone-warning">… truncated: only the beginning was kept.</p> : null}
    </div>
  );
}

function tokensFor(language: string, text: string): Token[] | undefined {
  if (language === "sql") return tokenizeSql(text);
  if (language === "json") return tokenizeJson(prettyJson(text));
  return undefined;
}

/** Indents JSON that parses; anything else (a truncated body) is shown as it came. */
function prettyJson(text: string): string {
  if (text.length > 200_000) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function toneClass(tone: string | undefined): string {
  return tone === "muted" || tone === "info" || tone === "warning" || tone === "error" || tone === "ok"
    ? `gb-tone-${tone}`
    : "";
}

function asArray<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

/** Shows the raw value when a malformed tree makes rendering throw, instead of a blank panel. */
class Guard extends Component<{ value: unknown; children: ComponentChildren }, { failed: boolean }> {
  override state = { failed: false };
  static override getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div class="gb-view">
        <p class="gb-text gb-tone-warning">This view could not be rendered; its raw data follows.</p>
        <JsonTree value={this.props.value} />
      </div>
    );
  }
}
