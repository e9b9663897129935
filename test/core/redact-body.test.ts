import { describe, expect, it } from "vitest";
import type { BodyPreview } from "../../src/core/record.js";
import { makeRedactRules } from "../../src/core/redact.js";
import { redactBody } from "../../src/panels/request.js";

const rules = makeRedactRules({
  headers: [],
  keys: /password|secret|token|api[-_]?key|session/i,
  replacement: "[redacted]",
});
const json = (text: string, truncated = false): BodyPreview => ({
  text,
  truncated,
  encoding: "utf8",
  contentType: "application/json",
});

describe("body redaction", () => {
  it("leaves a body that names no secret exactly as it was", () => {
    const body = json('{\n  "user": "ada",\n  "items": [1, 2, 3]\n}');
    expect(redactBody(body, rules)).toBe(body);
  });

  it("masks secret-named keys, including keys hidden by JSON escapes or URL encoding", () => {
    expect(redactBody(json('{"user":"ada","password":"hunter2"}'), rules).text).toBe(
      '{"user":"ada","password":"[redacted]"}',
    );
    expect(redactBody(json('{"\\u0070assword":"hunter2"}'), rules).text).not.toContain("hunter2");
    const form: BodyPreview = {
      text: "user=ada&pass%77ord=hunter2",
      truncated: false,
      encoding: "utf8",
      contentType: "application/x-www-form-urlencoded",
    };
    expect(redactBody(form, rules).text).not.toContain("hunter2");
  });

  it("masks secrets in a truncated JSON body that no parser accepts", () => {
    expect(redactBody(json('{"token":"abc123","more":"…', true), rules).text).not.toContain("abc123");
  });
});
