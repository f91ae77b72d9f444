import { afterAll, beforeAll, describe, it } from "vitest";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { pgRunner } from "./sql";
import { checkTypedStatesUpgrade } from "@/lib/testing/typed-states-upgrade";

// Migration 0006 on a PostgreSQL server, in a database of its own (created and dropped here), so
// the other integration tests' database is left alone.
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error("TEST_DATABASE_URL is not set: run the integration tests through scripts/test.sh");

const name = `fc_typed_states_${randomBytes(4).toString("hex")}`;
let admin: pg.Client;
let pool: pg.Pool;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  pool = new pg.Pool({ connectionString: u.toString(), max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin?.end();
});

describe("migration 0006 on PostgreSQL", () => {
  it("turns the states and kinds of existing moves and approvals into enums, keeping every value, the default and the one-active index", async () => {
    await checkTypedStatesUpgrade(pgRunner(pool));
  });
});
