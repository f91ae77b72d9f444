import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_TENANTS } from "@/prisma/seed";
import { labConfigPath, loadLabConfig, regionAddress, regionOfNode, replicatorAddress } from "./config";

describe("lab config", () => {
  it("seeds the router with the console's own seed routes, so a fresh lab and a fresh console agree (no drift)", () => {
    const cfg = loadLabConfig();
    expect(cfg.seedRoutes).toEqual(Object.fromEntries(SEED_TENANTS.map(([slug, , , primary]) => [slug, primary])));
  });

  it("reads heartbeats fast enough to give each one its apply time", () => {
    const cfg = loadLabConfig();
    expect(cfg.lagPollMs).toBeLessThan(cfg.heartbeatIntervalMs);
  });
});

describe("lab networks", () => {
  const base = () => JSON.parse(readFileSync(labConfigPath(), "utf8"));
  const load = (cfg: unknown) => {
    const dir = mkdtempSync(path.join(tmpdir(), "labcfg-"));
    const f = path.join(dir, "lab.config.json");
    writeFileSync(f, JSON.stringify(cfg));
    try {
      return loadLabConfig(f);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("puts each region in a namespace of its own, on private addresses, joined by one inter-region link", () => {
    const cfg = loadLabConfig();
    expect(new Set(cfg.regions.map((r) => r.net.netns)).size).toBe(cfg.regions.length);
    for (const r of cfg.regions) {
      for (const a of [r.net.address, r.net.hostAddress, r.net.interAddress]) expect(a).toMatch(/^10\./);
      expect(regionAddress(cfg, r.id)).toBe(r.net.address);
    }
    expect([cfg.network.interLink.a, cfg.network.interLink.b].sort()).toEqual(cfg.regions.map((r) => r.id).sort());
    expect(replicatorAddress(cfg)).toBe(regionAddress(cfg, cfg.s3.replicatorRegion));
    expect(regionOfNode(cfg, "mariadb-cy").id).toBe("cyberjaya_1");
  });

  it("refuses a config whose regions share an address or a namespace, or whose link names an unknown region", () => {
    const shared = base();
    shared.regions[1].net.address = shared.regions[0].net.address;
    expect(() => load(shared)).toThrow(/addresses must all differ/);
    const sameNs = base();
    sameNs.regions[1].net.netns = sameNs.regions[0].net.netns;
    expect(() => load(sameNs)).toThrow(/own namespace/);
    const badLink = base();
    badLink.network.interLink.b = "penang_1";
    expect(() => load(badLink)).toThrow(/inter-region link joins exactly/);
    const badNs = base();
    badNs.regions[0].net.netns = "a-namespace-name-too-long";
    expect(() => load(badNs)).toThrow(/at most 15/);
  });
});
