// bench/freshness — how old is what the screen shows? For N concurrent signed-in socket clients
// (1, 50, 200), the time from each component's measurement to its arrival at a client, and the
// console's CPU and memory while it serves them. Not a test: it prints figures.
//   npx tsx bench/freshness.ts [--mode lab|sim] [--clients 1,50,200] [--seconds 20]
import { mkdirSync, writeFileSync } from "node:fs";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import { labIsUp, percentile, procSample, signIn, startConsole } from "./lib";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const mode = arg("mode", "lab") as "lab" | "sim";
const clientCounts = arg("clients", "1,50,200").split(",").map(Number);
const seconds = Number(arg("seconds", "20"));

if (mode === "lab" && !labIsUp()) {
  console.error("The lab is not up: run lab/up first (or pass --mode sim).");
  process.exit(2);
}

const consoleProc = await startConsole(mode);
const cookie = await signIn(consoleProc.url);
console.log(`console (${mode} federation) at ${consoleProc.url}, pid ${consoleProc.pid}; ${seconds} s per run\n`);

interface Row {
  clients: number;
  deliveries: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  cpuPct: number;
  rssMiB: number;
}
const rows: Row[] = [];

for (const n of clientCounts) {
  const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
  const ages: number[] = [];
  let recording = false;
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(consoleProc.url, {
            path: "/socket.io",
            transports: ["websocket"],
            extraHeaders: { cookie, origin: new URL(consoleProc.url).origin },
            reconnection: false,
          });
          s.on("health:sample", (sample) => {
            if (!recording) return;
            const now = Date.now();
            for (const r of sample.regions) for (const c of r.components) if (c.status !== "unknown") ages.push(now - c.measuredAt);
          });
          s.on("connect", () => s.emit("subscribe", { topic: "overview" }, (a) => (a.ok ? resolve() : reject(new Error(a.message)))));
          s.on("connect_error", reject);
          sockets.push(s);
        }),
    ),
  );
  await new Promise((r) => setTimeout(r, 3000));
  const before = procSample(consoleProc.pid);
  const t0 = Date.now();
  recording = true;
  let peakRss = before.rssMiB;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, procSample(consoleProc.pid).rssMiB)), 1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  recording = false;
  clearInterval(rssTimer);
  const after = procSample(consoleProc.pid);
  const wall = (Date.now() - t0) / 1000;
  for (const s of sockets) s.close();
  ages.sort((a, b) => a - b);
  rows.push({
    clients: n,
    deliveries: ages.length,
    p50: percentile(ages, 0.5),
    p95: percentile(ages, 0.95),
    p99: percentile(ages, 0.99),
    max: ages.at(-1) ?? NaN,
    cpuPct: ((after.cpuSeconds - before.cpuSeconds) / wall) * 100,
    rssMiB: Math.max(peakRss, after.rssMiB),
  });
  await new Promise((r) => setTimeout(r, 1500));
}
await consoleProc.stop();

const f = (v: number) => v.toFixed(0).padStart(6);
console.log("measurement → client arrival, per component sample (ms); console CPU (% of one core) and RSS (MiB)");
console.log("clients  deliveries     p50     p95     p99     max   cpu%    rss");
for (const r of rows)
  console.log(
    `${String(r.clients).padStart(7)} ${String(r.deliveries).padStart(11)} ${f(r.p50)}  ${f(r.p95)}  ${f(r.p99)}  ${f(r.max)} ${r.cpuPct.toFixed(1).padStart(6)} ${r.rssMiB.toFixed(0).padStart(6)}`,
  );
const target = rows.find((r) => r.clients === 200);
if (target) console.log(`\ntarget: p95 < 500 ms at 200 clients → ${target.p95 < 500 ? "met" : "NOT met"} (${target.p95.toFixed(0)} ms)`);
mkdirSync("bench/out", { recursive: true });
writeFileSync(`bench/out/freshness-${mode}.json`, JSON.stringify({ mode, seconds, at: new Date().toISOString(), rows }, null, 2));
process.exit(0);
