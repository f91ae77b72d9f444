// Against the running lab: HAProxy's runtime API, real rerouting and real health checks.
import { readFile } from "node:fs/promises";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cfg, labCtl, mapFilePath, requireLab, socketPath, viaRouter, waitFor } from "@/lib/federation/lab/testing";
import { ConnectorError } from "../errors";
import { HaproxyRouter, routerComponent } from "./adapter";
import { HaproxyRuntimeClient } from "./client";
import { parseMapFile } from "./parse";

const router = new HaproxyRouter({ runtime: { socketPath: socketPath() }, mapName: mapFilePath(), mapFile: mapFilePath(), timeoutMs: 800 });
const TENANT = "it-haproxy-tenant";
let original: Record<string, string> = {};

beforeAll(async () => {
  await requireLab();
  original = await router.routes();
});
afterAll(async () => {
  await router.replaceRoutes(original);
});

describe("HAProxy connector (live)", () => {
  it("reads show stat, servers state and the map", async () => {
    const stats = await router.stats();
    for (const r of cfg.regions) {
      expect(stats.find((s) => s.proxy === r.backend && s.type === "backend")?.status).toBe("UP");
      expect(stats.find((s) => s.proxy === r.backend && s.server === r.appServer)?.status).toBe("UP");
    }
    const states = await router.serversState();
    expect(states.length).toBe(cfg.regions.length); // one app server per backend: no backup servers
    expect(Object.keys(await router.routes()).length).toBeGreaterThan(0);
  });

  it("a map change reroutes a real request, and the map file follows", async () => {
    await router.setRoute(TENANT, "be_kl_dc_1");
    expect((await viaRouter(TENANT)).region).toBe("kl_dc_1");
    const t0 = performance.now();
    await router.setRoute(TENANT, "be_cyberjaya_1");
    const took = performance.now() - t0;
    const r = await viaRouter(TENANT);
    expect(r.status).toBe(201);
    expect(r.region).toBe("cyberjaya_1");
    expect(r.json.region).toBe("cyberjaya_1");
    expect(took).toBeLessThan(500);
    // set map, not add map: exactly one entry for the key
    const entries = (await router.client.command(`show map ${mapFilePath()}`)).split("\n").filter((l) => l.includes(` ${TENANT} `));
    expect(entries).toHaveLength(1);
    expect(parseMapFile(await readFile(mapFilePath(), "utf8"))[TENANT]).toBe("be_cyberjaya_1");
  });

  it("refuses a backend that does not exist (it would silently fall to the default)", async () => {
    await expect(router.setRoute(TENANT, "be_nowhere")).rejects.toMatchObject({ code: "rejected", retryable: false });
    expect(await router.getRoute(TENANT)).toBe("be_cyberjaya_1");
  });

  it("replaces the whole map atomically with prepare/add/commit", async () => {
    const table = { ...original, [TENANT]: "be_kl_dc_1", "it-haproxy-b": "be_cyberjaya_1" };
    await router.replaceRoutes(table);
    expect(await router.routes()).toEqual(table);
    expect(parseMapFile(await readFile(mapFilePath(), "utf8"))).toEqual(table);
    expect((await viaRouter("it-haproxy-b")).region).toBe("cyberjaya_1");
  });

  it("set server state maint / ready takes effect", async () => {
    await router.setServerState("be_cyberjaya_1", "app_cyberjaya_1", "maint");
    try {
      expect((await router.serversState()).find((s) => s.backend === "be_cyberjaya_1" && s.server === "app_cyberjaya_1")?.maint).toBe(true);
      // no backup server: HAProxy itself answers 503 (only the console moves tenants)
      expect(await viaRouter("it-haproxy-b")).toMatchObject({ status: 503, region: null });
    } finally {
      await router.setServerState("be_cyberjaya_1", "app_cyberjaya_1", "ready");
    }
    expect((await viaRouter("it-haproxy-b")).region).toBe("cyberjaya_1");
  });

  it("marks a killed app server DOWN and the connector reports it", async () => {
    const cy = cfg.regions.find((r) => r.id === "cyberjaya_1")!;
    await labCtl(`app-${cy.id}`, "kill");
    const t0 = Date.now();
    try {
      const row = await waitFor(
        "HAProxy to mark app_cyberjaya_1 DOWN",
        async () => {
          const s = (await router.stats()).find((x) => x.proxy === cy.backend && x.server === cy.appServer);
          return s && s.status === "DOWN" ? s : null;
        },
        10_000,
        50,
      );
      const detectMs = Date.now() - t0;
      expect(detectMs).toBeLessThan(4000); // inter 500 ms, fastinter 250 ms, fall 2
      expect(row.checkStatus).toMatch(/L4CON|L7TOUT|L4TOUT|SOCKERR/);
      const health = routerComponent(
        "HAProxy",
        { backend: cy.backend, server: cy.appServer, serverRefs: [] },
        await router.stats(),
        await router.serversState(),
        await router.routes(),
        Date.now(),
      );
      expect(health.health.status).toBe("down");
      expect(health.health.reason).toMatch(/^app server app_cyberjaya_1 DOWN in HAProxy \(/);
      // no backup server: the region's tenants get 503 from HAProxy until the console fails them over
      expect(await viaRouter("it-haproxy-b")).toMatchObject({ status: 503, region: null });
    } finally {
      await labCtl(`app-${cy.id}`, "start");
    }
    await waitFor(
      "app_cyberjaya_1 UP again",
      async () => (await router.stats()).find((x) => x.proxy === cy.backend && x.server === cy.appServer)?.status === "UP",
      10_000,
    );
  });

  it("a dead socket is a typed, retryable error", async () => {
    const c = new HaproxyRuntimeClient({ socketPath: "/nonexistent/haproxy.sock" }, 500);
    await expect(c.command("show stat")).rejects.toMatchObject({ name: "ConnectorError", code: "unreachable", retryable: true });
  });

  it("a silent endpoint times out within the deadline", async () => {
    const srv = net.createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    const c = new HaproxyRuntimeClient({ host: "127.0.0.1", port }, 300);
    const t0 = Date.now();
    const err = await c.command("show stat").catch((e: unknown) => e);
    const took = Date.now() - t0;
    srv.close();
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err).toMatchObject({ code: "timeout", retryable: true });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(600);
  });
});
