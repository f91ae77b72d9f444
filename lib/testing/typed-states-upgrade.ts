import { expect } from "vitest";
import { migrate, readMigrations } from "@/lib/db/migrate";
import type { SqlRunner } from "@/lib/db/sql";

// Migration 0006 (typed states) over a database that already holds moves and approvals as text:
// the same checks on embedded PGlite (lib/db/typed-states.test.ts) and on a PostgreSQL server
// (lib/db/typed-states.int.test.ts). `sql` must be an empty database.

const MOVE_STATES = ["awaiting_approval", "queued", "running", "completed", "rolling_back", "rolled_back", "failed", "expired", "rejected"];

export async function checkTypedStatesUpgrade(sql: SqlRunner): Promise<void> {
  const all = readMigrations();
  const before = all.filter((m) => m.name < "0006");
  expect(before.map((m) => m.name)).toEqual(["0001_init", "0002_telemetry", "0003_moves", "0004_dual_control_bulk", "0005_move_kind"]);
  await migrate(sql, before);

  // One move in each state (each its own tenant: four of them hold their tenant), both kinds of
  // default, and approvals in each state.
  for (const [i, state] of MOVE_STATES.entries())
    await sql.query(`INSERT INTO "moves" (id, tenant_id, from_region_id, to_region_id, state, requested_by, kind) VALUES ($1, $2, 'a', 'b', $3, 'x', $4)`, [
      `mv_${i}`,
      `t${i}`,
      state,
      ["planned", "evacuation", "repin"][i % 3],
    ]);
  await sql.query(
    `INSERT INTO "moves" (id, tenant_id, from_region_id, to_region_id, state, requested_by) VALUES ('mv_default', 't1', 'a', 'b', 'completed', 'x')`,
  );
  for (const state of ["pending", "approved", "rejected", "expired"])
    await sql.query(`INSERT INTO "approvals" (id, kind, subject_id, summary, requested_by, expires_at, state) VALUES ($1, 'move', 's', 's', 'x', now(), $2)`, [
      `ap_${state}`,
      state,
    ]);

  // A row outside the enum: the migration fails and nothing of it stays.
  await sql.query(
    `INSERT INTO "approvals" (id, kind, subject_id, summary, requested_by, expires_at, state) VALUES ('ap_odd', 'move', 's', 's', 'x', now(), 'maybe')`,
  );
  await expect(migrate(sql, all)).rejects.toThrow(/invalid input value for enum "ApprovalState": "maybe"/);
  expect(await columnType(sql, "approvals", "state")).toBe("text");
  expect(await columnType(sql, "moves", "state")).toBe("text");
  await sql.query(`DELETE FROM "approvals" WHERE id = 'ap_odd'`);

  expect(await migrate(sql, all)).toContain("0006_typed_states");
  expect(await columnType(sql, "moves", "state")).toBe("MoveState");
  expect(await columnType(sql, "moves", "kind")).toBe("MoveKind");
  expect(await columnType(sql, "approvals", "state")).toBe("ApprovalState");

  const moves = await sql.query<{ id: string; state: string; kind: string }>(`SELECT id, state::text, kind::text FROM "moves" ORDER BY id`);
  expect(moves).toEqual([
    ...MOVE_STATES.map((state, i) => ({ id: `mv_${i}`, state, kind: ["planned", "evacuation", "repin"][i % 3] })),
    { id: "mv_default", state: "completed", kind: "planned" },
  ]);
  const approvals = await sql.query<{ state: string }>(`SELECT state::text FROM "approvals" ORDER BY id`);
  expect(approvals.map((a) => a.state)).toEqual(["approved", "expired", "pending", "rejected"]);

  // The default of kind is still 'planned'; text parameters are accepted where the values fit.
  await sql.query(`INSERT INTO "moves" (id, tenant_id, from_region_id, to_region_id, state, requested_by) VALUES ('mv_new', 't_new', 'a', 'b', $1, 'x')`, [
    "queued",
  ]);
  expect(await sql.query(`SELECT kind::text FROM "moves" WHERE id = 'mv_new'`)).toEqual([{ kind: "planned" }]);
  // One active move per tenant, still: t1 (queued) cannot get a second active one; a finished one is fine.
  await expect(
    sql.query(
      `INSERT INTO "moves" (id, tenant_id, from_region_id, to_region_id, state, requested_by) VALUES ('mv_dup', 't1', 'a', 'b', 'awaiting_approval', 'x')`,
    ),
  ).rejects.toThrow(/moves_one_active_per_tenant/);
  await sql.query(
    `INSERT INTO "moves" (id, tenant_id, from_region_id, to_region_id, state, requested_by) VALUES ('mv_done', 't1', 'a', 'b', 'rolled_back', 'x')`,
  );
  await expect(sql.query(`UPDATE "moves" SET state = 'paused' WHERE id = 'mv_new'`)).rejects.toThrow(/invalid input value for enum "MoveState"/);
  expect(await sql.query(`SELECT count(*)::int AS n FROM "hold_downs"`)).toEqual([{ n: 0 }]);
}

async function columnType(sql: SqlRunner, table: string, column: string): Promise<string> {
  const [c] = await sql.query<{ udt_name: string }>(
    `SELECT udt_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  return c.udt_name;
}
