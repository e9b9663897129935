import { describe, expect, it } from "vitest";
import { planHints } from "../../src/explain/hints.js";
import { planText } from "../../src/explain/plan.js";
import { toTree } from "../../src/explain/runners/mysql.js";
import { toNode } from "../../src/explain/runners/pg.js";
import { tableAliases } from "../../src/explain/tables.js";
import { explainView } from "../../src/explain/view.js";

// A PostgreSQL plan (FORMAT JSON) of a join: the books side is read in full.
const joinPlan = toNode({
  "Node Type": "Hash Join",
  "Join Type": "Inner",
  "Total Cost": 420.5,
  "Plan Rows": 40,
  "Hash Cond": "(b.author_id = a.id)",
  Plans: [
    { "Node Type": "Seq Scan", "Relation Name": "books", Alias: "b", "Plan Rows": 20000, "Total Cost": 309 },
    {
      "Node Type": "Hash",
      Plans: [
        {
          "Node Type": "Index Scan",
          "Relation Name": "authors",
          Alias: "a",
          "Index Name": "authors_pkey",
          "Index Cond": "(id = 7)",
          "Plan Rows": 1,
        },
      ],
    },
  ],
});

describe("plan hints", () => {
  it("suggests an index on the join column of a large table read in full", () => {
    const sql = "SELECT * FROM books b JOIN authors a ON b.author_id = a.id WHERE a.id = $1";
    const hints = planHints({ root: joinPlan, tableRows: { books: 20000 } }, sql, "postgresql", 1000);
    expect(hints).toEqual([
      expect.objectContaining({ kind: "full-scan", table: "books", rows: 20000 }),
      expect.objectContaining({ kind: "missing-index", table: "books", columns: ["author_id"] }),
    ]);
  });

  it("says nothing about small tables", () => {
    const sql = "SELECT * FROM books b JOIN authors a ON b.author_id = a.id";
    expect(planHints({ root: joinPlan, tableRows: { books: 200 } }, sql, "postgresql", 1000)).toEqual([]);
  });

  it("reads casts and parentheses in PostgreSQL filters", () => {
    const root = toNode({
      "Node Type": "Seq Scan",
      "Relation Name": "users",
      Alias: "users",
      "Plan Rows": 1,
      Filter:
        "(((email)::text = 'a@b.c'::character varying) AND (created_at > '2024-01-01 00:00:00'::timestamp without time zone))",
    });
    const hints = planHints({ root, tableRows: { users: 5000 } }, "SELECT 1", "postgresql", 1000);
    expect(hints[1]).toMatchObject({ columns: ["email", "created_at"] });
  });

  it("takes MySQL columns from the query, per table alias", () => {
    const sql =
      "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = ? AND c.country = ?";
    const root = toTree(
      [
        { id: 1, select_type: "SIMPLE", table: "o", type: "ALL", rows: 90000, Extra: "Using where" },
        { id: 1, select_type: "SIMPLE", table: "c", type: "eq_ref", key: "PRIMARY", rows: 1 },
      ],
      tableAliases(sql, "mysql"),
    );
    const hints = planHints({ root, tableRows: {} }, sql, "mysql", 1000);
    // The plan names the alias "o"; the hint names the table.
    expect(hints[0]).toMatchObject({ kind: "full-scan", table: "orders", rows: 90000 });
    expect(hints[1]).toMatchObject({ kind: "missing-index", table: "orders" });
    expect(hints[1]!.columns!.sort()).toEqual(["customer_id", "status"]);
  });

  it("renders text and view nodes from the tree", () => {
    expect(planText(joinPlan)).toBe(
      [
        "Hash Join  (cost=420.5 rows=40)",
        "    Hash Cond: (b.author_id = a.id)",
        "  -> Seq Scan on books b  (cost=309 rows=20000)",
        "  -> Hash",
        "      -> Index Scan on authors a using authors_pkey  (rows=1)",
        "             Index Cond: (id = 7)",
      ].join("\n"),
    );
    const nodes = explainView({
      recordId: "r",
      queryId: "q",
      system: "postgresql",
      sql: "SELECT 1",
      analyze: false,
      plan: joinPlan,
      text: planText(joinPlan),
      hints: [],
      tookMs: 1,
      notes: [],
    });
    expect(nodes[0]).toEqual({ type: "badge", text: "No full scans of large tables", tone: "ok" });
    expect(JSON.stringify(nodes)).toContain("Seq Scan on books b");
  });
});
