// The lab's networks, against the running lab: each region in a Linux network namespace of its
// own, joined to the host by an uplink and to the other region by one inter-region link. A cut
// link drops packets (nftables in the region's namespace): connections hang, nothing is refused,
// and each side stops hearing the other exactly as it would in a real partition.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaproxyRouter } from "@/lib/connectors/haproxy/adapter";
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { cfg, inRegion, lab, labNet, regionCfg, requireLab, socketPath, waitFor } from "./testing";

const KL = "kl_dc_1";
const CY = "cyberjaya_1";
const kl = regionCfg(KL);
const cy = regionCfg(CY);
const nodeOf = (region: typeof kl, i = 0) =>
  new MariadbNode(
    {
      name: region.mariadb.nodes[i].name,
      host: region.net.address,
      port: region.mariadb.nodes[i].port,
      user: cfg.mariadb.adminUser,
      password: cfg.mariadb.adminPassword,
    },
    800,
  );
const galera1 = nodeOf(kl);
const mariadbCy = nodeOf(cy);
const router = new HaproxyRouter({ runtime: { socketPath: socketPath() }, mapName: "", mapFile: "", timeoutMs: 800 });
const linkInto = (to: string) => cfg.crossRegion.links.find((l) => l.to === to)!;

/** How old `from`'s heartbeat is as `reader` has applied it (ms), read over the reader's uplink. */
async function heard(reader: MariadbNode, from: string): Promise<number> {
  const beats = await reader.heartbeats(`${cfg.mariadb.database}.heartbeat`);
  const b = beats.find((x) => x.region === from);
  if (!b) throw new Error(`no heartbeat of ${from}`);
  return b.lagMs;
}

/** A TCP connect from inside a region: "open", "refused", "unreachable" or "hangs" (no answer in 2 s). */
async function connectFrom(region: string, host: string, port: number): Promise<string> {
  const r = await inRegion(region, "timeout", ["2", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`]);
  if (r.code === 0) return "open";
  if (r.code === 124) return "hangs";
  if (/refused/i.test(r.stderr)) return "refused";
  if (/unreachable/i.test(r.stderr)) return "unreachable";
  return `failed: ${r.stderr.trim()}`;
}

const appState = async (backend: string, server: string) => (await router.stats()).find((s) => s.proxy === backend && s.server === server)?.status ?? "missing";

beforeAll(requireLab);
afterAll(async () => {
  // whatever happened above, the lab is left whole
  await labNet("heal", KL, CY).catch(() => {});
  for (const r of [KL, CY]) await labNet("rejoin", r).catch(() => {});
  await lab("up").catch(() => {});
  await galera1.close();
  await mariadbCy.close();
});

describe("the lab's networks", () => {
  it("puts each region's servers in its own namespace; the regions reach each other only over the inter-region link", async () => {
    const pg = await inRegion(KL, "bash", ["-c", `exec 3<>/dev/tcp/${kl.net.address}/${kl.postgres.port}`]);
    expect(pg.code).toBe(0);
    // KL sees Cyberjaya's servers on the inter-region link, not on Cyberjaya's uplink, and not on KL's loopback
    expect(await connectFrom(KL, cy.net.interAddress, cy.mariadb.nodes[0].port)).toBe("open");
    expect(await connectFrom(KL, cy.net.address, cy.mariadb.nodes[0].port)).toBe("unreachable");
    expect(await connectFrom(KL, "127.0.0.1", cy.mariadb.nodes[0].port)).toBe("refused");
    // the host (console, HAProxy) reaches both regions on their uplinks
    expect((await galera1.role()).readOnly).toBe(false);
    expect((await mariadbCy.role()).readOnly).toBe(false);
    const net = await lab("ctl", "net");
    expect(net).toMatch(new RegExp(`net-${KL}\\s+up`));
    expect(net).toMatch(new RegExp(`net-${CY}\\s+up`));
  });

  it("partition: the inter-region link drops packets; each region stops hearing the other while the console still sees both; heal restores replication", async () => {
    expect(await heard(mariadbCy, KL)).toBeLessThan(1000);
    await labNet("partition", KL, CY);
    try {
      expect(await lab("ctl", "net")).toMatch(new RegExp(`net-${KL}\\s+cut.*inter=cut`));
      // a blackhole, not a refusal: the connect hangs
      expect(await connectFrom(KL, cy.net.interAddress, cy.mariadb.nodes[0].port)).toBe("hangs");
      expect(await connectFrom(CY, kl.net.interAddress, kl.mariadb.nodes[0].port)).toBe("hangs");
      // each side's copy of the other's heartbeat goes stale — read through that side itself
      await waitFor("Cyberjaya no longer hears KL DC", async () => (await heard(mariadbCy, KL)) > 2500, 10_000, 250);
      await waitFor("KL DC no longer hears Cyberjaya", async () => (await heard(galera1, CY)) > 2500, 10_000, 250);
      // the replication IO thread notices the silent source (slave_net_timeout) and tries to reconnect
      await waitFor(
        "Cyberjaya's IO thread from KL DC down",
        async () => (await mariadbCy.replicas()).find((r) => r.connectionName === linkInto(CY).connection)?.ioRunning !== "Yes",
        20_000,
        500,
      );
      // the console still reaches both regions, and HAProxy still sees both apps up
      expect((await galera1.role()).readOnly).toBe(false);
      expect((await mariadbCy.role()).readOnly).toBe(false);
      expect(await appState(kl.backend, kl.appServer)).toBe("UP");
      expect(await appState(cy.backend, cy.appServer)).toBe("UP");
    } finally {
      await labNet("heal", KL, CY);
    }
    await waitFor("Cyberjaya hears KL DC again", async () => (await heard(mariadbCy, KL)) < 1000, 20_000, 250);
    await waitFor("KL DC hears Cyberjaya again", async () => (await heard(galera1, CY)) < 1000, 20_000, 250);
    const io = (await mariadbCy.replicas()).find((r) => r.connectionName === linkInto(CY).connection)!;
    expect(io).toMatchObject({ ioRunning: "Yes", sqlRunning: "Yes" });
  });

  it("isolate: the console, HAProxy and the other region all lose the region (timeouts, not refusals); rejoin brings it back", async () => {
    await labNet("isolate", CY);
    try {
      const t0 = Date.now();
      await expect(mariadbCy.role()).rejects.toMatchObject({ code: "timeout" });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
      await waitFor("HAProxy marks Cyberjaya's app down", async () => (await appState(cy.backend, cy.appServer)).startsWith("DOWN"), 10_000, 250);
      await waitFor("KL DC no longer hears Cyberjaya", async () => (await heard(galera1, CY)) > 2500, 10_000, 250);
      // Cyberjaya itself still runs: inside its namespace its own server answers
      expect(await connectFrom(CY, cy.net.address, cy.mariadb.nodes[0].port)).toBe("open");
      expect(await connectFrom(CY, kl.net.interAddress, kl.mariadb.nodes[0].port)).toBe("hangs");
    } finally {
      await labNet("rejoin", CY);
    }
    await waitFor("the console reaches Cyberjaya again", async () => (await mariadbCy.role()).readOnly === false, 10_000, 250);
    await waitFor("HAProxy marks Cyberjaya's app up", async () => (await appState(cy.backend, cy.appServer)) === "UP", 15_000, 250);
    await waitFor("KL DC hears Cyberjaya again", async () => (await heard(galera1, CY)) < 1000, 20_000, 250);
  });

  it("refuses unknown regions and a partition of a region from itself", async () => {
    await expect(labNet("partition", KL, KL)).rejects.toThrow(/two different regions/);
    await expect(labNet("isolate", "penang_1")).rejects.toThrow(/unknown region 'penang_1'/);
  });

  it("kill-region: every process of the region dies at once; lab/up brings the region back", async () => {
    await labNet("kill-region", CY);
    const left = await inRegion(CY, "true", []);
    expect(left.code).toBe(0); // the namespace itself stays (it is the region's network, not a process)
    const status = await lab("status").catch((e: Error) => e.message);
    for (const c of [cy.mariadb.nodes[0].name, cy.postgres.name, cy.s3.name, cy.inference.name, `app-${CY}`, `heartbeat-${CY}`])
      expect(status).toMatch(new RegExp(`${c}\\s+down`));
    expect(status).toMatch(new RegExp(`${kl.mariadb.nodes[0].name}\\s+up`));
    await waitFor("HAProxy marks Cyberjaya's app down", async () => (await appState(cy.backend, cy.appServer)).startsWith("DOWN"), 10_000, 250);
    await lab("up");
    await waitFor("KL DC hears Cyberjaya again", async () => (await heard(galera1, CY)) < 1000, 30_000, 250);
    await waitFor("Cyberjaya hears KL DC again", async () => (await heard(mariadbCy, KL)) < 1000, 30_000, 250);
  });
});
