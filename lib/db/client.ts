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
    return {
      prisma,
      sql,
      kind: "postgres",
      async close() {
        await prisma.$disconnect();
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
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}
