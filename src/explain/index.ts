export { serveExplainRoutes } from "./endpoint.js";
export { type ExplainHost, type ExplainResult, explainRecordedQuery } from "./explain-query.js";
export { EXPLAIN_FAILURES, ExplainFailure, type ExplainFailureCode } from "./failure.js";
export { type PlanHint, planHints } from "./hints.js";
export { type Plan, type PlanNode, planText } from "./plan.js";
export { isReadOnlySql } from "./read-only.js";
export { sessionToken, tokenMatches } from "./token.js";
