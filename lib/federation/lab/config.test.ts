import { describe, expect, it } from "vitest";
import { SEED_TENANTS } from "@/prisma/seed";
import { loadLabConfig } from "./config";

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
