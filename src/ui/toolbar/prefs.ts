// The toolbar's preferences, kept in the page origin's localStorage so they survive reloads.
// Storage can be missing or throw (sandboxed frames, privacy modes): then defaults are used.

export type Theme = "light" | "dark";
export type Position = "left" | "right" | "top" | "bottom";

export interface Prefs {
  /** Unset: follow the OS (prefers-color-scheme). */
  theme?: Theme;
  position: Position;
  /** Width (left/right) or height (top/bottom) of the open toolbar, in CSS pixels. */
  size?: number;
}

export const POSITIONS: readonly Position[] = ["right", "left", "bottom", "top"];
const KEY = "glassbox.toolbar";

/**
 * Reads the saved preferences, ignoring anything malformed.
 *
 * @example
 * const prefs = loadPrefs(window.localStorage); // { position: "right" }
 */
export function loadPrefs(storage: Storage | undefined): Prefs {
  const prefs: Prefs = { position: "right" };
  try {
    const raw = JSON.parse(storage?.getItem(KEY) ?? "{}") as Record<string, unknown>;
    if (raw.theme === "light" || raw.theme === "dark") prefs.theme = raw.theme;
    if (POSITIONS.includes(raw.position as Position)) prefs.position = raw.position as Position;
    if (typeof raw.size === "number" && Number.isFinite(raw.size) && raw.size >= 120) prefs.size = raw.size;
  } catch {
    // Unreadable or foreign value: keep the defaults.
  }
  return prefs;
}

/**
 * Saves the preferences; a full or disabled storage is ignored.
 *
 * @example
 * savePrefs(window.localStorage, { theme: "dark", position: "left" });
 */
export function savePrefs(storage: Storage | undefined, prefs: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Not persisted this time; the toolbar still works.
  }
}

/** The page's localStorage, or undefined where touching it throws. */
export function pageStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
