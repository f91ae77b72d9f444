// Against the running lab: the numbers the console shows match what was done to the servers.
//  - a replication stall that ends between two samples still shows as its peak (MariaDB, PostgreSQL);
//  - with a region's app killed, a tenant routed there is observed served by the other region,
//    flagged with the reason, and its region names it;
//  - with the PostgreSQL replica killed, the primary is degraded saying what fails, and the
//    replica region's tenants failing make that region down, naming them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { PostgresNode } from "@/lib/connectors/postgres/adapter";
import type { ComponentHealth, ComponentKind, Federation, RegionHealth, TenantProbe } from "@/lib/federation/types";
import { sampleOnce } from "@/lib/federation/assemble";
import { withTenantImpact } from "@/lib/tenants/observed";
import { createLabFederation } from "./index";
import { cfg, grantLeasesLikeTheConsole, labCtl, requireLab, waitFor } from "./testing";

const [kl, cy] = cfg.regions;
const link = cfg.crossRegion.links.find((l) => l.to === cy.id)!;
const cyNode = new MariadbNode(
  {
    name: link.toNode,
    host: cy.net.address,
    port: cy.mariadb.nodes.find((n) => n.name === link.toNode)!.port,
    user: cfg.mariadb.adminUser,
    password: cfg.mariadb.adminPassword,
  },
  2000,
);
const pgCy = new PostgresNode(
  {
    name: cy.postgres.name,
    host: cy.net.address,
    port: cy.postgres.port,
    user: cfg.postgres.user,
    password: cfg.postgres.password,
    database: cfg.postgres.database,
  },
  2000,
);
let federation: Federation;
let stopLeases: () => void = () => undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REGIONS = cfg.regions.map((r) => ({ id: r.id, name: r.name }));

async function probe(regionId: string, kind: ComponentKind): Promise<ComponentHealth> {
  return federation
    .probes()
    .find((p) => p.regionId === regionId && p.kind === kind)!
    .run();
}
const fig = (c: ComponentHealth, key: string) => c.figures.find((f) => f.key === key)?.value ?? null;

beforeAll(async () => {
  await requireLab();
  federation = await createLabFederation({ regions: REGIONS });
  stopLeases = grantLeasesLikeTheConsole(federation);
  federation.probes(); // starts the per-heartbeat readers
  await sleep(1500);
});

afterAll(async () => {
  stopLeases();
  await cyNode.startReplica(link.connection).catch(() => undefined);
  await pgCy.resumeReplay().catch(() => undefined);
  await federation?.close();
  await cyNode.close();
  await pgCy.close();
});

describe("lag peaks between samples", () => {
  it.each([
    ["MariaDB", "galera", "cross_region_lag_peak_ms", () => cyNode.stopReplica(link.connection, true), () => cyNode.startReplica(link.connection)],
    ["PostgreSQL", "postgres", "replay_lag_peak_ms", () => pgCy.pauseReplay(), () => pgCy.resumeReplay()],
  ] as const)("a 1.2 s %s stall that ends between two samples is reported as its peak", async (_name, kind, key, stop, start) => {
    await probe(cy.id, kind); // the previous sample: the next one's peak covers what follows
    const a0 = Date.now();
    await stop();
    const a1 = Date.now();
    await sleep(1200);
    const b0 = Date.now();
    await start();
    const b1 = Date.now();
    await sleep(400);
    const injected = (b0 + b1) / 2 - (a0 + a1) / 2;
    const c = await probe(cy.id, kind);
    // the current lag is small again: a once-a-second sample of it alone would have missed the stall
    expect(fig(c, key.replace("_peak", ""))!).toBeLessThan(200);
    const peak = fig(c, key)!;
    expect(Math.abs(peak - injected)).toBeLessThanOrEqual(100);
  });
});

describe("observed serving region and tenant impact", () => {
  const tenant = Object.entries(cfg.seedRoutes).find(([, r]) => r === kl.id)![0];

  it("a tenant routed to KL DC with KL DC's app killed: the router does not answer it from elsewhere (no backup servers); the probe says why and KL DC is not healthy", async () => {
    await labCtl(`app-${kl.id}`, "kill");
    try {
      const p = await waitFor(
        "the tenant's requests to fail",
        async () => {
          const x = await federation.probeTenant(tenant);
          return !x.ok ? x : null;
        },
        20_000,
        300,
      );
      // HAProxy answers 503 itself: nobody else serves a tenant the console has not failed over (F2)
      expect(p.servedBy).toBeNull();
      expect(p.writeBy).toBeNull();
      // HAProxy answers 503 once its check marked the app down; until then its connect retries may outlast the probe
      expect(p.error).toMatch(/HTTP 503 from the router|no answer within \d+ ms/);
      const regions = await federation.readHealth();
      const klOut = withTenantImpact(regions.find((r) => r.regionId === kl.id)!, { [tenant]: kl.id }, new Map([[tenant, p]]), regions);
      expect(klOut.figures.tenantsElsewhere ?? []).toEqual([]);
      expect(klOut.status).not.toBe("healthy");
      expect(klOut.reasons.join(" ")).toMatch(new RegExp(tenant));
    } finally {
      await labCtl(`app-${kl.id}`, "start");
    }
    await waitFor("KL DC's app back behind the router", async () => (await federation.probeTenant(tenant)).servedBy === kl.id, 20_000, 300);
  });

  it("with the PostgreSQL replica killed, the primary says what fails and the replica region's failing tenants make it down", async () => {
    const cyTenants = Object.entries(cfg.seedRoutes)
      .filter(([, r]) => r === cy.id)
      .map(([t]) => t)
      .slice(0, 3);
    await labCtl(cy.postgres.name, "kill");
    try {
      const primary = await waitFor(
        "the primary to miss its replica",
        async () => {
          const c = await probe(kl.id, "postgres");
          return c.status === "degraded" ? c : null;
        },
        20_000,
        300,
      );
      expect(primary.reason).toContain(
        `replica ${cy.postgres.name} is not streaming from this primary: ${cy.name} reads of the guideline corpus fail or are stale`,
      );
      const probes = new Map<string, TenantProbe>();
      for (const t of cyTenants) probes.set(t, await federation.probeTenant(t));
      expect([...probes.values()].every((p) => !p.ok && p.servedBy === cy.id)).toBe(true);
      const regions: RegionHealth[] = await sampleOnce(REGIONS, federation.probes());
      const cyOut = withTenantImpact(regions.find((r) => r.regionId === cy.id)!, Object.fromEntries(cyTenants.map((t) => [t, cy.id])), probes, regions);
      expect(cyOut.status).toBe("down");
      expect(cyOut.reasons[0]).toMatch(
        new RegExp(`^requests fail for every tenant served here \\(3 of 3\\): ${cyTenants.sort().join(", ")} — read: HTTP 5\\d\\d from ${cy.id}`),
      );
    } finally {
      // a killed postmaster's backends take a moment to go; starting before that fails
      await sleep(2000);
      await labCtl(cy.postgres.name, "start");
    }
    await waitFor("the replica streaming again", async () => (await probe(kl.id, "postgres")).status === "up", 30_000, 500);
  });
});
