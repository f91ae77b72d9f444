import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { openDatabase, type Database } from "@/lib/db/client";
import { Limiter } from "./rate-limit";

// The throttles on a PostgreSQL server: two console instances (two pools, two limiters) share
// one allowance through the `rate_limits` table, in a database of its own (created and dropped here).
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error("TEST_DATABASE_URL is not set: run the integration tests through scripts/test.sh");

const name = `fc_rate_limits_${randomBytes(4).toString("hex")}`;
let admin: pg.Client;
let a: Database;
let b: Database;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  a = await openDatabase({ url: u.toString() });
  b = await openDatabase({ url: u.toString() });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin?.end();
});

describe("throttles shared by console instances (PostgreSQL store)", () => {
  it("counts one person's changes across two instances and refuses the one past the allowance with a retry time", async () => {
    const spec = { name: "mutation", points: 5, durationSec: 60, what: "changes" };
    const one = new Limiter(spec, a);
    const two = new Limiter(spec, b);
    for (let i = 0; i < 5; i++) await (i % 2 ? one : two).take("u-admin");
    const err = await one.take("u-admin").catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: "rate_limited", details: { retryAfterSec: expect.any(Number) } });
    expect(err.message).toMatch(/^Too many changes: at most 5 in 1 min\. Try again in \d+ s\.$/);
    await expect(two.take("u-admin")).rejects.toMatchObject({ status: 429 });
    // Another person is not affected; the counts are rows in rate_limits.
    await one.take("u-admin2");
    const rows = await admin.query(`SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [name]);
    expect(rows.rows[0].n).toBe(1);
    const pool = a.pool!;
    const stored = await pool.query(`SELECT key, points FROM rate_limits ORDER BY key`);
    expect(stored.rows).toEqual([
      { key: "fc:mutation:u-admin", points: 7 },
      { key: "fc:mutation:u-admin2", points: 1 },
    ]);
    await one.reset("u-admin");
    await two.take("u-admin");
  });
});
