import { type ComponentChild, type ComponentChildren, createContext } from "preact";
import { useCallback, useContext, useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../shared/api.js";
import type { ActionNode, ViewNode } from "../shared/types.js";

/**
 * What action nodes call: the toolbar and the dashboard hand in their glassbox API client (see
 * `createApi` in ../shared/api.ts), which goes to the glassbox prefix with the session token.
 */
export interface ViewActions {
  explain(recordId: string, queryId: string, options?: { analyze?: boolean }): Promise<{ view?: unknown }>;
}

const ActionsContext = createContext<ViewActions | undefined>(undefined);

/**
 * Makes action nodes (Explain buttons) under it work, by giving them the API to call. Without
 * it an action button says it is not available here.
 *
 * @example
 * render(<ViewActionsProvider actions={createApi(prefix)}><App /></ViewActionsProvider>, root);
 */
export function ViewActionsProvider({
  actions,
  children,
}: {
  actions: ViewActions;
  children: ComponentChildren;
}) {
  return <ActionsContext.Provider value={actions}>{children}</ActionsContext.Provider>;
}

/** Shows (or, with null, removes) an action's answer in a full-width row under a table row. */
export type RowDetailPublish = (key: string, content: ComponentChild | null) => void;

/**
 * Set by a table row for the actions in its cells: an answer (a plan) is too wide for a cell, so
 * it goes below the row, across every column.
 */
export const RowDetailSlot = createContext<RowDetailPublish | undefined>(undefined);

/**
 * A table row's answers: `publish` for its actions, `detail` to render below it (or null).
 *
 * @example
 * const [publish, detail] = useRowDetail();
 */
export function useRowDetail(): [RowDetailPublish, ComponentChild[] | null] {
  const [entries, setEntries] = useState<Array<[string, ComponentChild]>>([]);
  const publish = useCallback<RowDetailPublish>((key, content) => {
    setEntries((list) => {
      const rest = list.filter(([k]) => k !== key);
      if (content === null) return rest.length === list.length ? list : rest;
      const at = list.findIndex(([k]) => k === key);
      if (at < 0) return [...list, [key, content]];
      return list.map((entry, i) => (i === at ? [key, content] : entry));
    });
  }, []);
  return [publish, entries.length ? entries.map(([, content]) => content) : null];
}

type Answer =
  | { state: "idle" }
  | { state: "running" }
  | { state: "done"; nodes: ViewNode[] }
  | { state: "failed"; message: string };

/**
 * An action node as a real button. A click runs the action and shows its answer (view nodes, or
 * the error as text) below the button, or below the table row it sits in; a second click hides
 * the answer, a third asks again. The answer is announced politely to screen readers.
 *
 * @example
 * <ActionView node={{ type: "action", action: "explain", label: "Explain", recordId, queryId }}
 *   renderNodes={(nodes) => nodes.map((n, i) => <NodeView key={i} node={n} />)} />
 */
export function ActionView({
  node,
  renderNodes,
}: {
  node: ActionNode;
  renderNodes: (nodes: ViewNode[]) => ComponentChild;
}) {
  const actions = useContext(ActionsContext);
  const publish = useContext(RowDetailSlot);
  const [answer, setAnswer] = useState<Answer>({ state: "idle" });
  const id = useId();
  // Answers that arrive after the user hid them (or left) are dropped.
  const attempt = useRef(0);
  const known = node.action === "explain";
  const label = String(node.label || "Run");

  const run = async () => {
    const mine = ++attempt.current;
    setAnswer({ state: "running" });
    const next = await perform(actions, node);
    if (attempt.current === mine) setAnswer(next);
  };
  const onClick = () => {
    if (answer.state === "running") return;
    if (answer.state === "idle") {
      void run();
      return;
    }
    attempt.current++;
    setAnswer({ state: "idle" });
  };

  const shown = answer.state !== "idle";
  const result = shown ? (
    <section
      class="gb-action-result"
      id={id}
      aria-label={`${label}: answer`}
      aria-live="polite"
      aria-busy={answer.state === "running"}
    >
      {answer.state === "running" ? (
        <p class="gb-text gb-tone-muted" role="status">{`${label}: waiting for the database…`}</p>
      ) : answer.state === "failed" ? (
        <p class="gb-text gb-tone-error">{answer.message}</p>
      ) : answer.state === "done" ? (
        renderNodes(answer.nodes)
      ) : null}
    </section>
  ) : null;

  useEffect(() => {
    publish?.(id, result);
  }, [answer]);
  useEffect(() => () => publish?.(id, null), []);

  return (
    <>
      <button
        type="button"
        class="gb-action"
        data-action={known ? node.action : undefined}
        disabled={!known}
        title={known ? undefined : `This glassbox UI does not know the action "${String(node.action)}"`}
        aria-expanded={known ? shown : undefined}
        aria-controls={shown ? id : undefined}
        aria-busy={answer.state === "running"}
        onClick={onClick}
      >
        {answer.state === "running" ? `${label}…` : label}
      </button>
      {publish ? null : result}
    </>
  );
}

/** Runs one action; every failure becomes a message, so nothing here throws into the page. */
async function perform(actions: ViewActions | undefined, node: ActionNode): Promise<Answer> {
  if (!actions) return { state: "failed", message: "This action is not available here." };
  try {
    const options = node.analyze === true ? { analyze: true } : {};
    const result = await actions.explain(String(node.recordId), String(node.queryId), options);
    const nodes = Array.isArray(result?.view)
      ? (result.view as ViewNode[])
      : [{ type: "json" as const, value: result }];
    return { state: "done", nodes };
  } catch (error) {
    if (error instanceof ApiError)
      return { state: "failed", message: error.code ? `${error.message} (${error.code})` : error.message };
    return {
      state: "failed",
      message: `Could not reach glassbox: ${(error as Error)?.message ?? String(error)}`,
    };
  }
}
