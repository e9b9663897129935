/**
 * Why an EXPLAIN request was refused or failed. Every code is stable and documented in
 * docs/explain.md; the endpoint answers `{ error, code }` with `status`.
 */
export const EXPLAIN_FAILURES = {
  GBX_EXPLAIN_TOKEN: 403,
  GBX_EXPLAIN_BAD_REQUEST: 400,
  GBX_EXPLAIN_NOT_FOUND: 404,
  GBX_EXPLAIN_FOREIGN: 422,
  GBX_EXPLAIN_NOT_READ_ONLY: 422,
  GBX_EXPLAIN_INCOMPLETE: 422,
  GBX_EXPLAIN_ANALYZE_OFF: 422,
  GBX_EXPLAIN_NOT_CONFIGURED: 501,
  GBX_EXPLAIN_FAILED: 502,
  GBX_EXPLAIN_TIMEOUT: 504,
} as const;

export type ExplainFailureCode = keyof typeof EXPLAIN_FAILURES;

/** A refusal or failure the endpoint turns into `{ error, code }` with the code's HTTP status. */
export class ExplainFailure extends Error {
  readonly code: ExplainFailureCode;
  readonly status: number;
  constructor(code: ExplainFailureCode, message: string) {
    super(message);
    this.name = "ExplainFailure";
    this.code = code;
    this.status = EXPLAIN_FAILURES[code];
  }
}
