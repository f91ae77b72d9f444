import "server-only";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { migrate } from "./migrate";
import { pgliteRunner, pgRunner, type SqlRunner } from "./sql";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  sql: SqlRunner;
  kind: "pglite" | "postgres";
  /** The connection pool of an external PostgreSQL (stores that speak pg directly use it). */
  pool?: pg.Pool;
  /**
   * Takes a session-level advisory lock on a connection held for the process's life: exactly one
   * console of several on one PostgreSQL holds it (the embedded database has one process anyway).
   */
  tryLeaderLock(key: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** External PostgreSQL; otherwise embedded PGlite. */
  url?: string;
  /** PGlite data directory; omitted → in memory (tests). */
  dataDir?: string;
}

/**
 * Opens the database and applies pending migrations. PGlite start-up takes seconds and blocks
 * the event loop, so the server calls this before it accepts traffic.
 */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: 10 });
    const sql = pgRunner(pool);
    await migrate(sql);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    let leader: pg.Client | null = null;
    return {
      prisma,
      sql,
      kind: "postgres",
      pool,
      async tryLeaderLock(key) {
        if (!leader) {
          leader = new pg.Client({ connectionString: opts.url });
          await leader.connect();
        }
        const r = await leader.query("SELECT pg_try_advisory_lock($1) AS ok", [key]);
        return r.rows[0].ok === true;
      },
      async close() {
        await prisma.$disconnect();
        await leader?.end().catch(() => undefined);
        await pool.end().catch(() => undefined);
      },
    };
  }
  let lite: PGlite;
  if (opts.dataDir) {
    const dir = path.resolve(opts.dataDir);
    mkdirSync(dir, { recursive: true });
    lite = await PGlite.create(dir);
  } else {
    lite = await PGlite.create();
  }
  const sql = pgliteRunner(lite);
  await migrate(sql);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    prisma,
    sql,
    kind: "pglite",
    async tryLeaderLock() {
      return true;
    },
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}
