import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { SqlRunner } from "./sql";

// Applies prisma/migrations/*/migration.sql in name order and records them in Prisma's own
// `_prisma_migrations` table, so `prisma migrate deploy` (on machines that can download its
// schema engine) sees the same history. Prisma's CLI cannot run here: it downloads an engine.

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) throw new Error(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any constant: several consoles starting at once against one PostgreSQL take turns.
const MIGRATION_LOCK = 72_707_001;

export async function migrate(sql: SqlRunner, migrations = readMigrations()): Promise<string[]> {
  // One transaction for the whole run; the transaction-scoped advisory lock makes concurrent
  // starts wait for each other, and a failing migration leaves nothing half-applied.
  return sql.transaction(async (tx) => {
    if (tx.kind === "postgres") await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.exec(HISTORY_DDL);
    const rows = await tx.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior) {
        if (!prior.finished_at) throw new Error(`migration ${m.name} started earlier but never finished; inspect the database`);
        if (prior.checksum !== m.checksum)
          throw new Error(`migration ${m.name} was edited after it was applied (checksum differs); add a new migration instead`);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)`, [
        randomUUID(),
        m.checksum,
        m.name,
      ]);
      applied.push(m.name);
    }
    return applied;
  });
}
