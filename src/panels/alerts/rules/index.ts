import type { AlertRule } from "../types.js";
import { anomalyQueries } from "./anomaly-queries.js";
import { anomalySlow } from "./anomaly-slow.js";
import { asyncBlocked } from "./async-blocked.js";
import { cookieHttpOnly } from "./cookie-httponly.js";
import { cookieSameSite } from "./cookie-samesite.js";
import { cookieSecure } from "./cookie-secure.js";
import { cspMissing } from "./csp-missing.js";
import { csrfForm } from "./csrf-form.js";
import { debugExposed } from "./debug-exposed.js";
import { eventLoopLag } from "./eventloop-lag.js";
import { frameProtectionMissing } from "./frame-protection-missing.js";
import { hstsMissing } from "./hsts-missing.js";
import { nosniffMissing } from "./nosniff-missing.js";
import { referrerPolicyMissing } from "./referrer-policy-missing.js";
import { requestSlow } from "./request-slow.js";
import { responseLarge } from "./response-large.js";
import { serverError } from "./server-error.js";
import { sqlDuplicates } from "./sql-duplicates.js";
import { sqlNPlusOne } from "./sql-nplusone.js";
import { sqlSlow } from "./sql-slow.js";

/** The built-in rules, in the order their alerts are listed. */
export const BUILTIN_RULES: readonly AlertRule[] = [
  serverError,
  cspMissing,
  nosniffMissing,
  frameProtectionMissing,
  referrerPolicyMissing,
  hstsMissing,
  cookieHttpOnly,
  cookieSecure,
  cookieSameSite,
  csrfForm,
  debugExposed,
  requestSlow,
  responseLarge,
  sqlSlow,
  sqlNPlusOne,
  sqlDuplicates,
  asyncBlocked,
  eventLoopLag,
  anomalySlow,
  anomalyQueries,
];
