import { fileURLToPath } from "node:url";

export interface StackFrame {
  file: string;
  line: number;
  column: number;
  fn?: string;
}

export interface CallSite {
  /** The first frame in the user's own code (outside node_modules, node internals and glassbox). */
  frame?: StackFrame;
  /** The app's own frames from that one on (libraries and node internals left out), at most `depth`. */
  stack: StackFrame[];
  /** The call came from glassbox's own code (its store, its EXPLAIN runner), not from the app. */
  internal?: boolean;
}

// This file's directory: frames from glassbox itself are skipped, wherever it is installed.
const OWN_DIR = ownDir();

function ownDir(): string {
  try {
    const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
    // glassbox's own src/ or dist/ folder: the repository's test/ and examples/ are user code.
    return here.replace(/([\\/](src|dist)[\\/]).*$/, "$1");
  } catch {
    return "\0";
  }
}

function isUserFrame(file: string): boolean {
  return (
    file !== "" &&
    !file.startsWith("node:") &&
    !file.includes("/node_modules/") &&
    !file.includes("\\node_modules\\") &&
    !file.startsWith(OWN_DIR) &&
    !file.startsWith(`file://${OWN_DIR}`)
  );
}

const cleanFile = (file: string) => (file.startsWith("file://") ? safePath(file) : file);

function safePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

/**
 * Where the user's code made this call. Uses V8's structured call sites (no string parsing);
 * costs a few microseconds, so collectors call it per event, never per request.
 */
export function captureCallSite(
  depth: number,
  skipFiles?: (file: string) => boolean,
  /** Start the stack below this function (an instrumentation's wrapper), so `internal` can be told. */
  below?: (...args: never[]) => unknown,
): CallSite {
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  let frames: NodeJS.CallSite[] = [];
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, below ?? captureCallSite);
    frames = holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = limit;
  }
  const stack: StackFrame[] = [];
  let found = false;
  let internal = false;
  let looked = below === undefined;
  for (const site of frames) {
    const file = site.getFileName() ?? site.getScriptNameOrSourceURL() ?? "";
    if (!looked && file !== "" && !file.startsWith("node:")) {
      // Below the wrapper, through libraries: glassbox's own code (its store) before any app code.
      internal = file.startsWith(OWN_DIR) || file.startsWith(`file://${OWN_DIR}`);
      looked = internal || isUserFrame(file);
    }
    // Only the app's own frames: the routers, drivers and glassbox wrappers in between are noise
    // to the reader and bytes in every stored record.
    if (!isUserFrame(file) || (!found && skipFiles?.(file))) continue;
    found = true;
    const frame: StackFrame = {
      file: cleanFile(file),
      line: site.getLineNumber() ?? 0,
      column: site.getColumnNumber() ?? 0,
    };
    const fn = site.getFunctionName() ?? site.getMethodName();
    if (fn) frame.fn = fn;
    stack.push(frame);
    if (stack.length >= depth) break;
  }
  const site: CallSite = stack[0] ? { frame: stack[0], stack } : { stack };
  if (internal) site.internal = true;
  return site;
}

export function formatFrame(frame: StackFrame): string {
  return `${frame.fn ? `${frame.fn} ` : ""}${frame.file}:${frame.line}:${frame.column}`;
}
