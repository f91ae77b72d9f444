// bench/failover — region failover on the lab, through the console (a child process, as people
// run it), with writers on 10 tenants through HAProxy. Cyberjaya is the region that fails (its
// PostgreSQL is the replica: every run ends with the lab as it started). Scenarios:
//   kill       lab/ctl kill-region cyberjaya_1 (every process SIGKILLed), then lab/up
//   isolate    lab/ctl isolate cyberjaya_1 (uplink and inter-region link cut), then rejoin
//   partition  lab/ctl partition (inter-region link only)          — must not fail over
//   uplink     lab/ctl cut-uplink (the console loses it, KL hears it) — must not fail over
//   frozen     the console SIGSTOPped for 10 s                        — must not fail over
// Per run: detection (fault → decision), RTO as the writers saw it (per moved tenant: first failed
// write after the fault → next acknowledged one), RPO (acknowledged writes the survivor did not
// have when the region came back: re-applied by the return, so none is lost), catch-up time,
// false failovers, split-brain windows (a tenant acknowledged in both regions at overlapping
// times). After each failover the region is brought back (errant writes re-applied) and its
// tenants re-pinned before the next run. Prints figures; not a test.
// --mode semi-sync: cross-region replication semi-synchronous and durable commits (lab/ctl replication
// semi-sync, lab/ctl commits durable) for the whole run; async (default): asynchronous, commits fast.
// --outage 60: a failed region stays away 60 s before it is brought back (catch-up after a long outage).
//   npm run bench:failover -- [--runs 10] [--scenarios kill,isolate,partition,uplink,frozen] [--mode async|semi-sync] [--outage 60]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { consoleApi, labIsUp, percentile, pushConsoleRoutes, signIn, startConsole } from "./lib";
import { startLedgerWriter, missingIn, type LedgerWriter, type LedgerResult } from "@/lib/federation/lab/ledger-writer";
import { loadLabConfig } from "@/lib/federation/lab/config";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg("runs", "10"));
const SCENARIOS = arg("scenarios", "kill,isolate,partition,uplink,frozen").split(",");
const MODE = arg("mode", "async");
/** --outage 60: the failed region stays away this long (from the fault) before it is brought back */
const OUTAGE_S = Number(arg("outage", "0"));
if (MODE !== "async" && MODE !== "semi-sync") {
  console.error(`--mode async|semi-sync, not ${MODE}`);
  process.exit(2);
}
const CY = "cyberjaya_1";
const KL = "kl_dc_1";
if (!labIsUp()) {
  console.error("The lab is not up: run lab/up first.");
  process.exit(2);
}
const cfg = loadLabConfig();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lab = (script: string, ...args: string[]) => execFileSync(`lab/${script}`, args, { stdio: "pipe", timeout: 180_000 });
/** The durability the lab runs with now (a region brought back by lab/up starts with the config's: set again after it). */
const setMode = () => {
  lab("ctl", "replication", MODE);
  lab("ctl", "commits", MODE === "semi-sync" ? "durable" : "fast");
};
setMode();
const durability = execFileSync("lab/ctl", ["durability"], { encoding: "utf8" })
  .split("\n")[0]
  .replace(/^\S+\s+/, "");
console.log(`mode ${MODE}: ${durability}`);

// A PostgreSQL of its own: 8 more tenants served by Cyberjaya, so 10 of its tenants are written to.
const pgDir = mkdtempSync(path.join(tmpdir(), "fc-bench-pg-"));
execFileSync("chmod", ["755", pgDir]);
const url = execFileSync("bash", ["scripts/pg-server.sh", "start", `${pgDir}/pg`], { encoding: "utf8" }).trim();
// The hold-downs are short so runs can follow each other: anti-flap is measured by tests, not here.
const env = { DATABASE_URL: url, FAILOVER_HOLD_DOWN_MS: "1000", REPIN_HOLD_DOWN_MS: "5000" };
// First start: the console creates and seeds its database; the tenants are added; second start: it
// finds the router's table different (drift) and the benchmark pushes the console's, audited.
await (await startConsole("lab", env)).stop();
const db = new pg.Client({ connectionString: url });
await db.connect();
for (let i = 1; i <= 8; i++) {
  const id = `bench-cy-${String(i).padStart(2, "0")}`;
  await db.query(
    `INSERT INTO tenants (id, slug, name, state, primary_region_id, failover_region_id, serving_region_id) VALUES ($1, $1, $2, 'Putrajaya', 'cyberjaya_1', 'kl_dc_1', 'cyberjaya_1') ON CONFLICT DO NOTHING`,
    [id, `Bench Clinic CY ${i}`],
  );
}
const c = await startConsole("lab", env);
const cookie = await signIn(c.url, "admin@federation.local");
const api = consoleApi(c.url, cookie);
await pushConsoleRoutes(api, "failover benchmark: this console's table (with its bench tenants) is the one measured");

interface Overview {
  regions: { regionId: string; state: string }[];
  failovers: {
    id: string;
    regionId: string;
    state: string;
    createdAt: string;
    finishedAt: string | null;
    closedAt: string | null;
    decisionId: string | null;
    plan: { slug: string; action: string }[];
    rpoMs: number | null;
    return?: { id: string; state: string; steps: { key: string; startedAt: number | null; endedAt: number | null }[] } | null;
  }[];
  decisions: { id: string; at: string; regionId: string | null; outcome: string }[];
}
const overview = () => api<Overview>("GET", "/api/failovers");
async function until<T>(what: string, fn: () => Promise<T | null | false | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}
const tenants = (await api<{ slug: string; servingRegionId: string; primaryRegionId: string }[]>("GET", "/api/tenants"))
  .filter((t) => t.primaryRegionId === CY)
  .map((t) => t.slug);
console.log(`writers on ${tenants.length} Cyberjaya tenants through HAProxy: ${tenants.join(", ")}`);

interface Run {
  scenario: string;
  failedOver: boolean;
  detectionMs: number | null;
  completedMs: number | null;
  rtoMs: number[];
  ackedNotInSurvivor: number;
  lostAfterReturn: number;
  catchUpMs: number | null;
  /** acknowledged writes per second into the survivor between the fault and the region's return */
  outageWritesPerSec: number | null;
  splitBrainTenants: number;
  predictedRpoMs: number | null;
  /** the longest time any writer went without an acknowledged write */
  longestStallMs: number;
}
const results: Run[] = [];

async function settled(): Promise<void> {
  await until(
    "Cyberjaya present and every tenant home",
    async () => {
      const o = await overview();
      if (o.regions.find((r) => r.regionId === CY)?.state !== "healthy") return false;
      const ts = await api<{ slug: string; servingRegionId: string; primaryRegionId: string }[]>("GET", "/api/tenants");
      return ts.every((t) => t.servingRegionId === t.primaryRegionId);
    },
    240_000,
  );
}

async function inject(s: string): Promise<() => Promise<void>> {
  switch (s) {
    case "kill":
      lab("ctl", "kill-region", CY);
      return async () => {
        lab("up");
        setMode();
      };
    case "isolate":
      lab("ctl", "isolate", CY);
      return async () => void lab("ctl", "rejoin", CY);
    case "partition":
      lab("ctl", "partition", KL, CY);
      return async () => void lab("ctl", "heal", KL, CY);
    case "uplink":
      lab("ctl", "cut-uplink", CY);
      return async () => void lab("ctl", "restore-uplink", CY);
    case "frozen":
      process.kill(-c.pid, "SIGSTOP");
      return async () => void process.kill(-c.pid, "SIGCONT");
    default:
      throw new Error(`unknown scenario ${s}`);
  }
}

for (const scenario of SCENARIOS) {
  const expectFailover = scenario === "kill" || scenario === "isolate";
  for (let run = 1; run <= RUNS; run++) {
    await settled();
    const before = new Set((await overview()).failovers.map((f) => f.id));
    const writers: LedgerWriter[] = tenants.map((t) => startLedgerWriter({ tenant: t, concurrency: 1, intervalMs: 50, requestTimeoutMs: 3000, cfg }));
    await sleep(3000);
    const t0 = Date.now();
    const heal = await inject(scenario);
    let f: Overview["failovers"][number] | null = null;
    if (expectFailover) {
      f = await until(
        "the failover to finish",
        async () => (await overview()).failovers.find((x) => !before.has(x.id) && (x.state === "completed" || x.state === "failed")),
        90_000,
      );
      // the outage goes on (writers now write into the survivor): what the region must catch up on
      await sleep(Math.max(2000, OUTAGE_S * 1000 - (Date.now() - t0)));
    } else await sleep(10_000);
    const healedAt = Date.now();
    await heal();
    await sleep(3000);
    const ledgers: LedgerResult[] = await Promise.all(writers.map((w) => w.stop()));
    const o = await overview();
    const fresh = o.failovers.filter((x) => !before.has(x.id));
    const r: Run = {
      scenario,
      failedOver: fresh.length > 0,
      detectionMs: null,
      completedMs: null,
      rtoMs: [],
      ackedNotInSurvivor: 0,
      lostAfterReturn: 0,
      catchUpMs: null,
      splitBrainTenants: 0,
      predictedRpoMs: null,
      outageWritesPerSec: null,
      longestStallMs: Math.max(0, ...ledgers.flatMap((l) => l.unavailableWindows.filter((w) => w.to >= t0).map((w) => w.ms))),
    };
    if (f) {
      const d = o.decisions.find((x) => x.id === f!.decisionId);
      r.detectionMs = d ? new Date(d.at).getTime() - t0 : null;
      r.completedMs = f.finishedAt ? new Date(f.finishedAt).getTime() - t0 : null;
      r.predictedRpoMs = f.rpoMs;
      const moved = new Set(f.plan.filter((p) => p.action === "move").map((p) => p.slug));
      for (const [i, l] of ledgers.entries()) {
        if (!moved.has(tenants[i])) continue;
        const w = l.unavailableWindows.find((x) => x.to >= t0 && x.from <= (r.completedMs ?? 0) + t0 + 5000);
        if (w) r.rtoMs.push(w.ms);
        const lastCy = Math.max(0, ...l.acked.filter((a) => a.region === CY && a.sentAt >= t0 - 1000).map((a) => a.ackedAt));
        const firstKl = Math.min(Infinity, ...l.acked.filter((a) => a.region === KL).map((a) => a.sentAt));
        if (lastCy > firstKl) r.splitBrainTenants++;
      }
      // acknowledged in Cyberjaya, not in KL DC when it came back (what async replication had not carried)
      const ackedCy = ledgers.flatMap((l) => l.acked.filter((a) => a.region === CY).map((a) => a.id));
      await until("Cyberjaya reachable", async () => (await api<{ transactions: number }>("GET", `/api/failovers/${f!.id}/return`)) !== null, 60_000);
      r.ackedNotInSurvivor = (await missingIn(KL, ackedCy, { cfg })).length;
      await api("POST", `/api/failovers/${f.id}/return`, { reason: `benchmark run ${run}`, decision: "reapply" });
      const back = await until(
        "the return to finish",
        async () => {
          const x = (await overview()).failovers.find((y) => y.id === f!.id)?.return;
          return x && (x.state === "completed" || x.state === "failed") ? x : null;
        },
        180_000,
      );
      const cu = back.steps.find((s) => s.key === "catch_up");
      r.catchUpMs = cu?.startedAt && cu.endedAt ? cu.endedAt - cu.startedAt : null;
      const during = ledgers.flatMap((l) => l.acked.filter((a) => a.region === KL && a.ackedAt >= t0 && a.ackedAt <= healedAt));
      r.outageWritesPerSec = Math.round(during.length / ((healedAt - t0) / 1000));
      const ackedAll = ledgers.flatMap((l) => l.acked.map((a) => a.id));
      r.lostAfterReturn = (await missingIn(KL, ackedAll, { cfg })).length;
    }
    results.push(r);
    console.log(
      `${scenario} #${run}: ${r.failedOver ? `failed over, detection ${r.detectionMs} ms, completed ${r.completedMs} ms, RTO ${r.rtoMs.map((x) => Math.round(x)).join("/")} ms, acknowledged not in the survivor ${r.ackedNotInSurvivor}, lost after return ${r.lostAfterReturn}, catch-up ${r.catchUpMs} ms after ${r.outageWritesPerSec} writes/s into the survivor, split-brain tenants ${r.splitBrainTenants}` : "no failover"}; longest write stall ${Math.round(r.longestStallMs)} ms`,
    );
  }
}

const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? `p50 ${Math.round(percentile(s, 0.5))} ms, p95 ${Math.round(percentile(s, 0.95))} ms (n=${s.length})` : "—";
};
console.log(
  `\n== bench/failover (${MODE}: ${durability}; lease ${cfg.leases.lengthMs / 1000} s + ${cfg.leases.skewMarginMs / 1000} s skew margin, renewed every ${cfg.leases.renewEveryMs / 1000} s; confirmation ${Number(process.env.FAILOVER_CONFIRM_MS ?? 1000) / 1000} s)`,
);
for (const s of SCENARIOS) {
  const rs = results.filter((r) => r.scenario === s);
  const failed = rs.filter((r) => r.failedOver);
  const expect = s === "kill" || s === "isolate";
  console.log(`${s}: ${rs.length} runs, ${failed.length} failover(s)${expect ? "" : ` — false failovers ${failed.length}`}`);
  console.log(`  longest time a writer went without an acknowledged write ${fmt(rs.map((r) => r.longestStallMs))}`);
  if (!expect) continue;
  console.log(`  detection ${fmt(failed.map((r) => r.detectionMs ?? NaN).filter(Number.isFinite))}`);
  console.log(`  failover completed ${fmt(failed.map((r) => r.completedMs ?? NaN).filter(Number.isFinite))}`);
  console.log(`  RTO as the writers saw it ${fmt(failed.flatMap((r) => r.rtoMs))}`);
  console.log(`  predicted RPO ${fmt(failed.map((r) => r.predictedRpoMs ?? NaN).filter(Number.isFinite))}`);
  console.log(
    `  acknowledged writes not in the survivor at return (async RPO): ${failed.map((r) => r.ackedNotInSurvivor).join(", ")}; lost after the return (re-applied): ${failed.reduce((n, r) => n + r.lostAfterReturn, 0)}`,
  );
  console.log(
    `  writes into the survivor during the outage ${fmt(failed.map((r) => r.outageWritesPerSec ?? NaN).filter(Number.isFinite)).replaceAll(" ms", "/s")}`,
  );
  console.log(`  catch-up ${fmt(failed.map((r) => r.catchUpMs ?? NaN).filter(Number.isFinite))}${OUTAGE_S ? ` after a ${OUTAGE_S} s outage` : ""}`);
  console.log(`  split-brain windows (tenants acknowledged in both regions at overlapping times): ${failed.reduce((n, r) => n + r.splitBrainTenants, 0)}`);
}
if (MODE !== "async") {
  lab("ctl", "replication", "async");
  lab("ctl", "commits", "fast");
}
await db.end();
await c.stop();
execFileSync("bash", ["scripts/pg-server.sh", "stop", `${pgDir}/pg`]);
process.exit(0);
