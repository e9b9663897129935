import type { StoreOptions } from "../core/config.js";
import type { Warner } from "../core/errors.js";
import { MemoryStore } from "./memory.js";
import { SqliteRecords } from "./sqlite.js";
import type { Store } from "./store.js";
import { WriteBehindStore } from "./write-behind.js";

/**
 * Opens the store the options describe: SQLite behind a memory ring, or the ring alone.
 * `onWriteTime` hears how long each batched write took (the overhead budget charges it).
 */
export function openStore(options: StoreOptions, warner?: Warner, onWriteTime?: (ms: number) => void): Store {
  if (options.path === false) return new MemoryStore(options.ringSize, options.maxAgeMs);
  return new WriteBehindStore(new SqliteRecords(options.path), options, warner, onWriteTime);
}
