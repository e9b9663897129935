/**
 * A connection the user gave EXPLAIN (a config with credentials, or a pool), held opaque: the
 * settings panel shows class instances by name only, so credentials in a config never reach a
 * record.
 *
 * @example
 * new ExplainConnection({ connectionString: "postgres://ro:secret@localhost/app" }); // shown as [ExplainConnection]
 */
export class ExplainConnection {
  readonly #target: object;
  constructor(target: object) {
    this.#target = target;
  }
  /** The config or pool as the user passed it. */
  get target(): object {
    return this.#target;
  }
  toJSON(): string {
    return "[ExplainConnection]";
  }
}
