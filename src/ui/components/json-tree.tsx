import type { ComponentChild } from "preact";
import { useState } from "preact/hooks";

/** Children shown per object or array level before a "show more" button. */
const PAGE = 100;
/** Deeper than this the tree stops: hostile or cyclic-looking data cannot hang the page. */
const MAX_DEPTH = 32;

interface JsonTreeProps {
  value: unknown;
  /** Levels open at first; deeper levels open on click. */
  openDepth?: number;
}

/**
 * A collapsible tree of any JSON value. Every key and value is a text node; children of a closed
 * branch are not rendered at all, so a large value costs nothing until it is opened.
 *
 * @example
 * <JsonTree value={{ user: { id: 1, roles: ["admin"] } }} openDepth={1} />
 */
export function JsonTree({ value, openDepth = 1 }: JsonTreeProps) {
  return (
    <div class="gb-json">
      <JsonEntry name={undefined} value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

interface EntryProps {
  name: string | undefined;
  value: unknown;
  depth: number;
  openDepth: number;
}

function JsonEntry({ name, value, depth, openDepth }: EntryProps) {
  const label = name === undefined ? null : <span class="gb-json-key">{name}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div class="gb-json-row">
        {label}
        <JsonScalar value={value} />
      </div>
    );
  }
  return <JsonBranch label={label} value={value as object} depth={depth} openDepth={openDepth} />;
}

function JsonBranch({
  label,
  value,
  depth,
  openDepth,
}: {
  label: ComponentChild;
  value: object;
  depth: number;
  openDepth: number;
}) {
  const [open, setOpen] = useState(depth < openDepth);
  const [shown, setShown] = useState(PAGE);
  const isArray = Array.isArray(value);
  const entries: Array<[string, unknown]> = isArray
    ? (value as unknown[]).map((v, i) => [String(i), v])
    : Object.entries(value);
  const size = isArray ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) {
    return (
      <div class="gb-json-row">
        {label}
        <span class="gb-json-punct">{isArray ? "[]" : "{}"}</span>
      </div>
    );
  }
  if (depth >= MAX_DEPTH) {
    return (
      <div class="gb-json-row">
        {label}
        <span class="gb-muted">{size} (too deep to show)</span>
      </div>
    );
  }
  return (
    <div class="gb-json-branch">
      <button type="button" class="gb-json-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="gb-caret" aria-hidden="true">
          {open ? "▾" : "▸"}
        </span>
        {label}
        <span class="gb-json-size">{size}</span>
      </button>
      {open && (
        <div class="gb-json-children">
          {entries.slice(0, shown).map(([k, v]) => (
            <JsonEntry key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > shown && (
            <button type="button" class="gb-more" onClick={() => setShown(shown + PAGE * 5)}>
              Show more ({entries.length - shown} hidden)
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function JsonScalar({ value }: { value: unknown }) {
  if (typeof value === "string") return <span class="gb-json-string">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span class="gb-json-number">{String(value)}</span>;
  if (typeof value === "boolean" || value === null)
    return <span class="gb-json-literal">{String(value)}</span>;
  return <span class="gb-muted">{String(value)}</span>;
}
