// bench/abuse — what a flood costs the console: 10,000 refused write requests from a signed-in
// overseer, and 10,000 `subscribe` events on one socket. Prints audit rows written, bytes sent,
// console CPU and memory. Not a test: it prints figures (and writes bench/out/abuse.json).
//   npx tsx bench/abuse.ts [--requests 10000] [--subscriptions 10000]
import { mkdirSync, writeFileSync } from "node:fs";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "@/lib/realtime/events";
import { procSample, signIn, startConsole } from "./lib";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const requests = Number(arg("requests", "10000"));
const subscriptions = Number(arg("subscriptions", "10000"));

const c = await startConsole("sim");
const origin = new URL(c.url).origin;
const overseer = await signIn(c.url, "overseer@federation.local");
const admin = await signIn(c.url, "admin@federation.local");
const auditRows = async () => {
  const r = await fetch(`${c.url}/api/audit?limit=1`, { headers: { cookie: admin } });
  return ((await r.json()) as { data: { chain: { entries: number } } }).data.chain.entries;
};
console.log(`console at ${c.url}, pid ${c.pid}\n`);

// 1. Refused writes: an overseer POSTs a tenant switch over and over, 20 at a time.
const rows0 = await auditRows();
const p0 = procSample(c.pid);
const t0 = Date.now();
const statuses = new Map<number, number>();
let next = 0;
await Promise.all(
  Array.from({ length: 20 }, async () => {
    while (next < requests) {
      next++;
      const r = await fetch(`${c.url}/api/tenants/klinik-miri/region`, {
        method: "POST",
        headers: { cookie: overseer, origin, "content-type": "application/json" },
        body: JSON.stringify({ targetRegionId: "cyberjaya_1", expectedVersion: 1 }),
      });
      await r.arrayBuffer();
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  }),
);
const floodMs = Date.now() - t0;
const p1 = procSample(c.pid);
const rows1 = await auditRows();

// 2. Subscriptions: one overseer socket asks for the overview snapshot over and over.
const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(c.url, {
  path: "/socket.io",
  transports: ["websocket"],
  extraHeaders: { cookie: overseer, origin },
  reconnection: false,
});
await new Promise<void>((resolve, reject) => (s.on("connect", () => resolve()), s.on("connect_error", reject)));
let bytes = 0;
let errors = 0;
let disconnected = false;
s.io.engine.on("packet", (p: { data?: unknown }) => (bytes += typeof p.data === "string" ? Buffer.byteLength(p.data) : 0));
s.on("app:error", () => errors++);
s.on("disconnect", () => (disconnected = true));
const p2 = procSample(c.pid);
const t2 = Date.now();
for (let i = 0; i < subscriptions && !disconnected; i++) s.emit("subscribe", { topic: "overview" }, () => undefined);
await new Promise((r) => setTimeout(r, 3000));
const p3 = procSample(c.pid);
const subMs = Date.now() - t2;
s.close();
await c.stop();

const result = {
  refusedWrites: {
    requests,
    statuses: Object.fromEntries(statuses),
    seconds: floodMs / 1000,
    auditRowsWritten: rows1 - rows0,
    consoleCpuSeconds: +(p1.cpuSeconds - p0.cpuSeconds).toFixed(1),
    consoleRssMiB: { before: Math.round(p0.rssMiB), after: Math.round(p1.rssMiB) },
  },
  subscriptions: {
    sent: subscriptions,
    bytesReceivedMiB: +(bytes / 1048576).toFixed(2),
    appErrors: errors,
    disconnected,
    seconds: subMs / 1000,
    consoleCpuSeconds: +(p3.cpuSeconds - p2.cpuSeconds).toFixed(1),
    consoleRssMiB: { before: Math.round(p2.rssMiB), after: Math.round(p3.rssMiB) },
  },
};
console.table({
  "refused writes": {
    count: requests,
    "audit rows": result.refusedWrites.auditRowsWritten,
    "CPU s": result.refusedWrites.consoleCpuSeconds,
    "RSS MiB before → after": `${result.refusedWrites.consoleRssMiB.before} → ${result.refusedWrites.consoleRssMiB.after}`,
  },
  subscriptions: {
    count: subscriptions,
    "MiB sent": result.subscriptions.bytesReceivedMiB,
    "CPU s": result.subscriptions.consoleCpuSeconds,
    "RSS MiB before → after": `${result.subscriptions.consoleRssMiB.before} → ${result.subscriptions.consoleRssMiB.after}`,
  },
});
console.log("statuses of the refused writes:", result.refusedWrites.statuses, `in ${result.refusedWrites.seconds} s`);
console.log(`subscriptions: ${errors} app:error events, ${disconnected ? "disconnected by the console" : "still connected"}`);
console.log(
  "\nbefore the hardening (measured in the issue): 1,000 refused POSTs wrote 1,000 audit rows; 10,000 subscriptions sent 369 MiB and grew the console from 700 MiB to 1.77 GiB",
);
mkdirSync("bench/out", { recursive: true });
writeFileSync("bench/out/abuse.json", JSON.stringify(result, null, 2));
