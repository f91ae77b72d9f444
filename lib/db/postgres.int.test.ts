import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { migrate, readMigrations } from "./migrate";
import { pgRunner } from "./sql";
import { schemaDrift } from "./schema-drift";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { verifyAuditChain, listAudit } from "@/lib/audit/service";
import { switchTenant } from "@/lib/tenants/operations";
import { markRegionOp } from "@/lib/regions/operations";

// The same migrations and service calls as the PGlite unit tests, against a real PostgreSQL
// server (scripts/test.sh starts one on a free loopback port and sets TEST_DATABASE_URL).
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error("TEST_DATABASE_URL is not set: run the integration tests through scripts/test.sh");

let h: Harness;
beforeAll(async () => {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
  await admin.end();
});
afterAll(async () => h?.close());

describe("PostgreSQL server path", () => {
  it("applies the migrations once even when two consoles start at the same time", async () => {
    const a = new pg.Pool({ connectionString: url, max: 2 });
    const b = new pg.Pool({ connectionString: url, max: 2 });
    const [ra, rb] = await Promise.all([migrate(pgRunner(a)), migrate(pgRunner(b))]);
    const names = readMigrations().map((m) => m.name);
    expect([...ra, ...rb].sort()).toEqual(names);
    const rows = await a.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows.rows[0].n).toBe(names.length);
    expect(await schemaDrift(pgRunner(a))).toEqual([]);
    await Promise.all([a.end(), b.end()]);
  });

  it("runs the services: switch, residency refusal, stale version, concurrent switch, region mark", async () => {
    h = await createHarness({ url });
    const db = h.database.prisma;
    expect(h.database.kind).toBe("postgres");
    expect(await db.tenant.count()).toBe(35);

    const miri = await db.tenant.findUniqueOrThrow({ where: { id: "klinik-miri" } });
    const moved = await h.invoke(switchTenant, h.actors.admin, { tenantId: miri.id, targetRegionId: "cyberjaya_1", expectedVersion: miri.version });
    expect(moved.servingRegionId).toBe("cyberjaya_1");

    const locked = await db.tenant.findUniqueOrThrow({ where: { id: "poliklinik-bangsar" } });
    await expect(
      h.invoke(switchTenant, h.actors.admin, { tenantId: locked.id, targetRegionId: "cyberjaya_1", expectedVersion: locked.version }),
    ).rejects.toMatchObject({ status: 409, code: "residency_violation" });

    await expect(
      h.invoke(switchTenant, h.actors.admin2, { tenantId: miri.id, targetRegionId: "kl_dc_1", expectedVersion: miri.version }),
    ).rejects.toMatchObject({ status: 409, code: "stale_version", message: expect.stringContaining("admin@federation.local") });

    // Real row locks and separate connections: two admins at once, one wins.
    const sibu = await db.tenant.findUniqueOrThrow({ where: { id: "klinik-sibu" } });
    const results = await Promise.allSettled(
      [h.actors.admin, h.actors.admin2].map((a) =>
        h.invoke(switchTenant, a, { tenantId: sibu.id, targetRegionId: "cyberjaya_1", expectedVersion: sibu.version }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["stale_version"]);
    expect((await db.tenant.findUniqueOrThrow({ where: { id: sibu.id } })).version).toBe(sibu.version + 1);

    await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: true, reason: "integration test" });
    expect(h.live.region("kl_dc_1")?.status).toBe("down");
    await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: false });

    const audit = await listAudit(db, { limit: 500 });
    expect(audit.filter((e) => e.outcome === "refused").length).toBeGreaterThanOrEqual(3);
  });

  it("keeps one unforked audit chain under concurrent writers", async () => {
    const db = h.database.prisma;
    const ids = ["klinik-kuching", "klinik-sandakan", "klinik-kota-kinabalu", "klinik-george-town", "klinik-alor-setar"];
    await Promise.all(
      ids.map(async (id) => {
        const t = await db.tenant.findUniqueOrThrow({ where: { id } });
        return h.invoke(switchTenant, h.actors.admin, { tenantId: id, targetRegionId: "cyberjaya_1", expectedVersion: t.version });
      }),
    );
    const v = await verifyAuditChain(db);
    expect(v.break).toBeNull();
    const prevs = await db.auditEntry.groupBy({ by: ["prevHash"], _count: true });
    expect(prevs.every((p) => p._count === 1)).toBe(true);
  });
});
