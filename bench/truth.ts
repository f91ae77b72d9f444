// bench/truth — does the screen tell the truth? In the lab, stalls of known length are injected
// on every replication link and the worst lag the console reports for each is compared with the
// stall; then the console itself is stopped (SIGSTOP) and the time until a browser on the
// overview says "No data" is measured. Not a test: it prints figures.
//   npm run bench:truth -- [--stalls 0.5,1,3,10] [--reps 10] [--links mariadb-kl-cy,mariadb-cy-kl,postgres,s3] [--sigstops 5]
import { mkdirSync, writeFileSync } from "node:fs";
import mysql from "mysql2/promise";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { chromium } from "@playwright/test";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import type { FigureKey } from "@/lib/federation/figures";
import type { ComponentKind } from "@/lib/federation/types";
import { loadLabConfig, replicatorAddress } from "@/lib/federation/lab/config";
import { labIsUp, percentile, signIn, startConsole } from "./lib";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const stalls = arg("stalls", "0.5,1,3,10")
  .split(",")
  .map((s) => Math.round(Number(s) * 1000));
const reps = Number(arg("reps", "10"));
const linkNames = arg("links", "mariadb-kl-cy,mariadb-cy-kl,postgres,s3").split(",");
const sigstops = Number(arg("sigstops", "5"));

if (!labIsUp()) {
  console.error("The lab is not up: run lab/up first.");
  process.exit(2);
}
const cfg = loadLabConfig();
const [kl, cy] = cfg.regions;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Link {
  name: string;
  /**
   * An independent reader of the same link at 20 Hz (the S3 link: the replicator copies in
   * rounds, so the pause is not the whole delay; the truth is what a fast outside reader sees).
   */
  truth?: () => { start(): void; stop(): void; peakSince(t: number): number | null };
  /** where the lag shows: region and component figure */
  regionId: string;
  kind: ComponentKind;
  key: FigureKey;
  resolution: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function mariadbLink(name: string, to: typeof kl, from: typeof kl): Promise<Link> {
  const l = cfg.crossRegion.links.find((x) => x.from === from.id && x.to === to.id)!;
  const node = to.mariadb.nodes.find((n) => n.name === l.toNode)!;
  const c = await mysql.createConnection({ host: to.net.address, port: node.port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword });
  return {
    name,
    regionId: to.id,
    kind: "galera",
    key: "cross_region_lag_peak_ms",
    resolution: `heartbeat every ${cfg.heartbeatIntervalMs} ms, read every ${cfg.lagPollMs} ms`,
    stop: async () => void (await c.query(`STOP SLAVE '${l.connection}' SQL_THREAD`)),
    start: async () => void (await c.query(`START SLAVE '${l.connection}'`)),
    close: () => c.end(),
  };
}

async function postgresLink(): Promise<Link> {
  const replica = cfg.regions.find((r) => r.postgres.role === "replica")!;
  const c = new pg.Client({
    host: replica.net.address,
    port: replica.postgres.port,
    user: cfg.postgres.user,
    password: cfg.postgres.password,
    database: cfg.postgres.database,
  });
  await c.connect();
  return {
    name: "postgres",
    regionId: replica.id,
    kind: "postgres",
    key: "replay_lag_peak_ms",
    resolution: `heartbeat every ${cfg.heartbeatIntervalMs} ms, read every ${cfg.lagPollMs} ms`,
    stop: async () => void (await c.query("SELECT pg_wal_replay_pause()")),
    start: async () => void (await c.query("SELECT pg_wal_replay_resume()")),
    close: () => c.end(),
  };
}

/** What a 20 Hz outside reader sees of the S3 link into Cyberjaya: now − the first canary not yet copied. */
function s3TruthReader() {
  const get = async (region: typeof kl) => {
    try {
      const r = await fetch(`http://${region.net.address}:${region.s3.port}/${cfg.s3.canaryBucket}/lab-canary/${kl.id}`, { signal: AbortSignal.timeout(500) });
      return r.ok ? ((await r.json()) as { ts: number }).ts : null;
    } catch {
      return null;
    }
  };
  const seen: { at: number; lag: number }[] = [];
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      timer = setInterval(async () => {
        const [src, copy] = await Promise.all([get(kl), get(cy)]);
        if (src === null || copy === null) return;
        const now = Date.now();
        seen.push({ at: now, lag: copy >= src ? 0 : now - Math.min(src, copy + cfg.canaryIntervalMs) });
      }, 50);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    peakSince(t: number) {
      const xs = seen.filter((x) => x.at > t).map((x) => x.lag);
      return xs.length ? Math.max(...xs) : null;
    },
  };
}

function s3Link(): Link {
  const post = async (p: string) => {
    const r = await fetch(`http://${replicatorAddress(cfg)}:${cfg.s3.replicatorPort}/${p}`, { method: "POST" });
    if (!r.ok) throw new Error(`replicator ${p}: HTTP ${r.status}`);
  };
  return {
    name: "s3",
    regionId: cy.id,
    kind: "object_store",
    key: "canary_lag_peak_ms",
    resolution: `canary every ${cfg.canaryIntervalMs} ms, replicated every ${cfg.s3.replicatorIntervalMs} ms, read every ${cfg.canaryPollMs} ms`,
    stop: () => post("pause"),
    start: () => post("resume"),
    close: async () => {},
    truth: s3TruthReader,
  };
}

const makers: Record<string, () => Promise<Link>> = {
  "mariadb-kl-cy": () => mariadbLink("mariadb-kl-cy", cy, kl),
  "mariadb-cy-kl": () => mariadbLink("mariadb-cy-kl", kl, cy),
  postgres: postgresLink,
  s3: async () => s3Link(),
};

const consoleProc = await startConsole("lab");
// The console runs detached: never leave it running (or SIGSTOPped) when the bench fails.
const release = () => {
  for (const sig of ["SIGCONT", "SIGTERM"] as const) {
    try {
      process.kill(-consoleProc.pid, sig);
    } catch {
      /* already gone */
    }
  }
};
process.on("exit", release);
process.on("uncaughtException", (e) => {
  console.error(e);
  process.exit(1);
});
process.on("unhandledRejection", (e) => {
  console.error(e);
  process.exit(1);
});
const cookie = await signIn(consoleProc.url);
console.log(`console (lab federation) at ${consoleProc.url}, pid ${consoleProc.pid}`);

// What every screen receives: the region samples, as a socket client sees them.
const seen: Array<{ regionId: string; kind: string; key: string; t: number; v: number }> = [];
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(consoleProc.url, {
  path: "/socket.io",
  transports: ["websocket"],
  extraHeaders: { cookie, origin: new URL(consoleProc.url).origin },
});
socket.on("health:sample", (s) => {
  for (const r of s.regions)
    for (const c of r.components)
      for (const f of c.figures) if (f.value !== null) seen.push({ regionId: r.regionId, kind: c.kind, key: f.key, t: c.measuredAt, v: f.value });
});
await new Promise<void>((resolve, reject) => {
  socket.on("connect", () => socket.emit("subscribe", { topic: "overview" }, (a) => (a.ok ? resolve() : reject(new Error(a.message)))));
  socket.on("connect_error", reject);
});
await sleep(4000);

interface Trial {
  link: string;
  targetMs: number;
  /** the stall's length, or for a link with a truth reader, the worst lag that reader saw */
  injectedMs: number;
  reportedMs: number | null;
  errorMs: number | null;
}
const trials: Trial[] = [];
const resolutions: Record<string, string> = {};
for (const name of linkNames) {
  const link = await makers[name]();
  resolutions[name] = link.resolution;
  const truth = link.truth?.();
  truth?.start();
  for (const target of stalls) {
    for (let i = 0; i < reps; i++) {
      const a0 = Date.now();
      await link.stop();
      const a1 = Date.now();
      await sleep(target - (a1 - a0) / 2);
      const b0 = Date.now();
      await link.start();
      const b1 = Date.now();
      const S = (a0 + a1) / 2;
      const R = (b0 + b1) / 2;
      // the sample after the stall carries its peak; give the link time to drain
      await sleep(Math.max(2500, cfg.s3.replicatorIntervalMs * 3));
      const inside = seen.filter((p) => p.regionId === link.regionId && p.kind === link.kind && p.key === link.key && p.t > S && p.t <= R + 2500);
      const reported = inside.length ? Math.max(...inside.map((p) => p.v)) : null;
      const injected = truth ? (truth.peakSince(S) ?? R - S) : R - S;
      trials.push({ link: name, targetMs: target, injectedMs: injected, reportedMs: reported, errorMs: reported === null ? null : reported - injected });
      process.stdout.write(`${name} ${target} ms #${i + 1}: injected ${injected.toFixed(0)} ms, console ${reported === null ? "—" : reported.toFixed(0)} ms\n`);
    }
  }
  truth?.stop();
  await link.close();
}
socket.close();

// The console stops (SIGSTOP): how long until a browser on the overview says so?
const noData: number[] = [];
if (sigstops > 0) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const ctx = await browser.newContext();
  await ctx.addCookies(
    cookie.split("; ").map((kv) => {
      const i = kv.indexOf("=");
      return { name: kv.slice(0, i), value: kv.slice(i + 1), url: consoleProc.url };
    }),
  );
  const page = await ctx.newPage();
  await page.goto(consoleProc.url);
  for (let i = 0; i < sigstops; i++) {
    await page.getByRole("status").filter({ hasText: "Live" }).first().waitFor({ timeout: 30_000 });
    await sleep(1500);
    const t0 = Date.now();
    process.kill(-consoleProc.pid, "SIGSTOP");
    try {
      await page
        .getByText(/No data for/)
        .first()
        .waitFor({ timeout: 20_000 });
      noData.push(Date.now() - t0);
    } finally {
      await sleep(1000);
      process.kill(-consoleProc.pid, "SIGCONT");
    }
    process.stdout.write(`SIGSTOP #${i + 1}: "No data" after ${noData.at(-1)} ms\n`);
    await sleep(4000);
  }
  await browser.close();
}
await consoleProc.stop();

const f = (v: number) => v.toFixed(0).padStart(6);
console.log("\nworst lag the console reported for a stall of known length (error = reported − injected, ms;");
console.log("for s3, injected = the worst lag a 20 Hz outside reader saw: the replicator's rounds add to the pause)");
console.log("link            stall  n   miss   err p50  |err| p95  |err| max  within ±50 ms");
const summary = [];
for (const name of linkNames) {
  for (const target of stalls) {
    const ts = trials.filter((t) => t.link === name && t.targetMs === target);
    const errs = ts.filter((t) => t.errorMs !== null).map((t) => t.errorMs!);
    const abs = errs.map(Math.abs).sort((a, b) => a - b);
    const within = abs.filter((e) => e <= 50).length;
    const row = {
      link: name,
      stallMs: target,
      n: ts.length,
      missing: ts.length - errs.length,
      errP50: percentile(
        [...errs].sort((a, b) => a - b),
        0.5,
      ),
      absP95: percentile(abs, 0.95),
      absMax: abs.at(-1) ?? NaN,
      within50: within,
    };
    summary.push(row);
    console.log(
      `${name.padEnd(15)} ${String(target).padStart(5)} ${String(row.n).padStart(2)} ${String(row.missing).padStart(5)}  ${f(row.errP50)}    ${f(row.absP95)}     ${f(row.absMax)}   ${within}/${errs.length}`,
    );
  }
}
console.log("\nresolution per link:");
for (const [k, v] of Object.entries(resolutions)) console.log(`  ${k}: ${v}`);
if (noData.length) {
  const s = [...noData].sort((a, b) => a - b);
  console.log(`\nconsole SIGSTOP → browser says "No data": p50 ${percentile(s, 0.5).toFixed(0)} ms, max ${s.at(-1)} ms (n = ${s.length})`);
}
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/truth.json", JSON.stringify({ at: new Date().toISOString(), resolutions, summary, trials, noDataMs: noData }, null, 2));
process.exit(0);
