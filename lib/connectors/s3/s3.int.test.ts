// Against the running lab: object-store health, canary lag and replication backlog while the
// replicator (the lab's stand-in for MinIO bucket replication) is paused.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replicatorAddress } from "@/lib/federation/lab/config";
import { cfg, requireLab, sleep, waitFor } from "@/lib/federation/lab/testing";
import { ObjectStoreClient } from "./client";
import { objectStoreHealth } from "./adapter";

const client = (r: (typeof cfg.regions)[number]) =>
  new ObjectStoreClient(
    {
      name: r.s3.name,
      url: `http://${r.net.address}:${r.s3.port}`,
      accessKeyId: cfg.s3.accessKeyId,
      secretAccessKey: cfg.s3.secretAccessKey,
    },
    800,
  );
const kl = client(cfg.regions[0]);
const cy = client(cfg.regions[1]);
const replicator = `http://${replicatorAddress(cfg)}:${cfg.s3.replicatorPort}`;
const probeCy = () =>
  objectStoreHealth({
    name: "Object store",
    regionId: "cyberjaya_1",
    local: cy,
    peers: [{ regionId: "kl_dc_1", client: kl }],
    canaryBucket: cfg.s3.canaryBucket,
    canaryPrefix: "lab-canary/",
    canaryIntervalMs: cfg.canaryIntervalMs,
    replicationMetricsUrl: `${replicator}/metrics`,
    lagDegradedMs: Math.max(cfg.lagDegradedMs, 2 * cfg.canaryIntervalMs),
    timeoutMs: 800,
  });

beforeAll(requireLab);
afterAll(async () => {
  await fetch(`${replicator}/resume`, { method: "POST" });
  kl.close();
  cy.close();
});

describe("S3 connector (live)", () => {
  it("is healthy with a small canary lag and no backlog", async () => {
    await kl.live();
    const h = await probeCy();
    expect(h.status).toBe("up");
    const lag = h.figures.find((f) => f.key === "canary_lag_ms")!.value!;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(cfg.canaryIntervalMs + 2 * cfg.s3.replicatorIntervalMs);
    // canaries are written every 250 ms and copied in 500 ms rounds: one or two may be pending at any moment
    const perRound = Math.ceil(cfg.s3.replicatorIntervalMs / cfg.canaryIntervalMs);
    expect(h.figures.find((f) => f.key === "backlog")!.value).toBeLessThanOrEqual(perRound * cfg.regions.length);
  });

  it("an object written in one region appears in the other", async () => {
    const key = `it/${Date.now()}.txt`;
    await kl.s3.send(new PutObjectCommand({ Bucket: "dicom", Key: key, Body: "scan" }));
    expect(await waitFor("the object in Cyberjaya", () => cy.getText("dicom", key), 5000, 100)).toBe("scan");
  });

  it("shows backlog and growing canary lag while replication is paused", async () => {
    await fetch(`${replicator}/pause`, { method: "POST" });
    const pausedAt = Date.now();
    try {
      for (let i = 0; i < 3; i++) await kl.s3.send(new PutObjectCommand({ Bucket: "dicom", Key: `it/paused-${pausedAt}-${i}`, Body: "x" }));
      await sleep(3000);
      const h = await waitFor(
        "backlog of 3+",
        async () => {
          const x = await probeCy();
          return (x.figures.find((f) => f.key === "backlog")!.value ?? 0) >= 3 ? x : null;
        },
        5000,
        200,
      );
      const lag = h.figures.find((f) => f.key === "canary_lag_ms")!.value!;
      expect(lag).toBeGreaterThan(3000 - cfg.canaryIntervalMs - 300);
      // the last copy before the pause was made by a round that may have started one replicator
      // interval earlier, of a canary up to one canary interval old: that much before the pause
      expect(lag).toBeLessThan(Date.now() - pausedAt + 2 * cfg.canaryIntervalMs + cfg.s3.replicatorIntervalMs);
      expect(h.status).toBe("degraded");
      expect(h.reason).toMatch(/behind/);
    } finally {
      await fetch(`${replicator}/resume`, { method: "POST" });
    }
    await waitFor("backlog drained", async () => (await probeCy()).figures.find((f) => f.key === "backlog")!.value === 0, 10_000, 200);
  });

  it("a dead endpoint is a typed error within the timeout; a missing object is null", async () => {
    const dead = new ObjectStoreClient({ name: "x", url: `http://${cfg.regions[0].net.address}:17999`, accessKeyId: "a", secretAccessKey: "b" }, 500);
    const t0 = Date.now();
    await expect(dead.live()).rejects.toMatchObject({ name: "ConnectorError", code: "refused", retryable: true });
    await expect(dead.getText("dicom", "x")).rejects.toMatchObject({ code: "refused" });
    expect(Date.now() - t0).toBeLessThan(1100);
    expect(await kl.getText("dicom", "does/not/exist")).toBeNull();
    const h = await objectStoreHealth({
      name: "Object store",
      regionId: "x",
      local: dead,
      peers: [],
      canaryBucket: "dicom",
      canaryPrefix: "lab-canary/",
      canaryIntervalMs: 1000,
      replicationMetricsUrl: null,
      lagDegradedMs: 1000,
      timeoutMs: 500,
    });
    expect(h.status).toBe("down");
    expect(h.reason).toMatch(/^object store unreachable: connect ECONNREFUSED/);
    dead.close();
  });
});
