import "server-only";
import type { PGlite } from "@electric-sql/pglite";
import type { Pool } from "pg";

/** The raw SQL the migration runner and health checks need, over PGlite or a pg Pool. */
export interface SqlRunner {
  readonly kind: "pglite" | "postgres";
  /** Run a script of one or more statements, no parameters. */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run fn on one connection inside BEGIN/COMMIT (ROLLBACK on throw). */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

export function pgliteRunner(db: PGlite): SqlRunner {
  const runner: SqlRunner = {
    kind: "pglite",
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await db.query<T>(sql, params as never[]);
      return r.rows;
    },
    async transaction(fn) {
      return db.transaction(async (tx) =>
        fn({
          kind: "pglite",
          exec: async (sql) => void (await tx.exec(sql)),
          query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params as never[])).rows,
          transaction: () => Promise.reject(new Error("nested transactions are not supported")),
        }),
      );
    },
  };
  return runner;
}

export function pgRunner(pool: Pool): SqlRunner {
  return {
    kind: "postgres",
    async exec(sql) {
      await pool.query(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      const r = await pool.query(sql, params);
      return r.rows as T[];
    },
    async transaction(fn) {
      const client = await pool.connect();
      const tx: SqlRunner = {
        kind: "postgres",
        exec: async (sql) => void (await client.query(sql)),
        query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
        transaction: () => Promise.reject(new Error("nested transactions are not supported")),
      };
      try {
        await client.query("BEGIN");
        const out = await fn(tx);
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
  };
}
