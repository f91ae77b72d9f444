import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { migrate, readMigrations } from "./migrate";
import { pgliteRunner, type SqlRunner } from "./sql";
import { schemaDrift, readSchemaDmmf } from "./schema-drift";

let lite: PGlite;
let sql: SqlRunner;
beforeAll(async () => {
  lite = await PGlite.create();
  sql = pgliteRunner(lite);
});
afterAll(async () => lite?.close());

describe("migrations on embedded PGlite", () => {
  it("apply from empty, record themselves as Prisma does, and are idempotent", async () => {
    const names = readMigrations().map((m) => m.name);
    expect(await migrate(sql)).toEqual(names);
    expect(await migrate(sql)).toEqual([]);
    const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    expect(rows.every((r) => r.finished_at && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  it("produce exactly the database that schema.prisma describes", async () => {
    expect(await schemaDrift(sql)).toEqual([]);
  });

  it("refuse to run when an applied migration was edited", async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(migrate(sql, edited)).rejects.toThrow(/was edited after it was applied/);
  });

  it("roll back a failing migration completely", async () => {
    const bad = [...readMigrations(), { name: "9999_bad", sql: `CREATE TABLE "half" (id int); SELECT nonsense_function();`, checksum: "x" }];
    await expect(migrate(sql, bad)).rejects.toThrow();
    const t = await sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`);
    expect(t).toEqual([]);
  });
});

describe("schema drift check", () => {
  it("catches a model field that no migration created", async () => {
    const dmmf = readSchemaDmmf();
    const tenant = dmmf.datamodel.models.find((m) => m.name === "Tenant")!;
    tenant.fields.push({ name: "billingPlan", dbName: "billing_plan", kind: "scalar", type: "String", isList: false, isRequired: true });
    expect(await schemaDrift(sql, dmmf)).toEqual(["column tenants.billing_plan (Tenant.billingPlan) is missing"]);
  });

  it("catches a column or table the schema does not know", async () => {
    await sql.exec(`CREATE TABLE "stray" (id int); ALTER TABLE "users" ADD COLUMN "nickname" text`);
    const problems = await schemaDrift(sql);
    expect(problems).toContain("table stray exists in the database but not in schema.prisma");
    expect(problems).toContain("column users.nickname exists in the database but not in schema.prisma");
    await sql.exec(`DROP TABLE "stray"; ALTER TABLE "users" DROP COLUMN "nickname"`);
  });
});
