// Helpers for integration tests against the running lab (lab/up must have been run).
import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { Federation } from "../types";
import { REPO_ROOT, labPath, loadLabConfig, type LabConfig } from "./config";

export const cfg: LabConfig = loadLabConfig();

function portOpen(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(ms, () => done(false));
    s.on("connect", () => done(true));
    s.on("error", () => done(false));
  });
}

/** Fails with a clear message when the lab is not up. */
export async function requireLab(): Promise<void> {
  const ports: [string, string, number][] = [["haproxy", cfg.host, cfg.router.frontendPort]];
  for (const r of cfg.regions) {
    const a = r.net.address;
    ports.push([`app ${r.id}`, a, r.appPort], [r.postgres.name, a, r.postgres.port], [r.s3.name, a, r.s3.port], [r.inference.name, a, r.inference.port]);
    for (const n of r.mariadb.nodes) ports.push([n.name, a, n.port]);
  }
  const down: string[] = [];
  await Promise.all(
    ports.map(async ([name, host, port]) => {
      if (!(await portOpen(host, port))) down.push(`${name} (${host}:${port})`);
    }),
  );
  if (down.length) throw new Error(`the lab is not running (nothing on ${down.join(", ")}): start it with lab/up`);
}

/** lab/ctl <component> <action> */
export function labCtl(component: string, action: "start" | "stop" | "kill" | "restart" | "status"): Promise<string> {
  return lab("ctl", component, action);
}

/** The lab's networks: lab/ctl partition|heal <a> <b>, isolate|rejoin|kill-region <region>. */
export function labNet(action: "partition" | "heal", a: string, b: string): Promise<string>;
export function labNet(action: "isolate" | "rejoin" | "cut-uplink" | "restore-uplink" | "kill-region", region: string): Promise<string>;
export function labNet(action: string, ...regions: string[]): Promise<string> {
  return lab("ctl", action, ...regions);
}

/** Runs one of the lab's scripts (lab/<script> args…); rejects with its error output. */
export function lab(script: "ctl" | "up" | "status", ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(REPO_ROOT, "lab", script),
      args,
      { timeout: 180_000, env: { ...process.env, LAB_CONFIG: process.env.LAB_CONFIG ?? "" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`lab/${script} ${args.join(" ")} failed: ${stdout}${stderr || err.message}`));
        else resolve(stdout + stderr);
      },
    );
  });
}

/** Runs a command inside a region's network namespace (what the region itself sees). */
export function inRegion(regionId: string, cmd: string, args: string[], timeoutMs = 10_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("ip", ["netns", "exec", regionCfg(regionId).net.netns, cmd, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code as number) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  let last: unknown = null;
  while (Date.now() - t0 < timeoutMs) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request through HAProxy as a tenant. */
export async function viaRouter(
  tenant: string,
  method: "GET" | "POST" = "POST",
  pathname = "/records",
  body?: unknown,
): Promise<{ status: number; region: string | null; json: Record<string, unknown> }> {
  const res = await fetch(`http://${cfg.host}:${cfg.router.frontendPort}${pathname}`, {
    method,
    headers: { "x-tenant": tenant, "content-type": "application/json", connection: "close" },
    body: method === "POST" ? JSON.stringify(body ?? { body: "integration test" }) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: res.status, region: res.headers.get("x-served-by-region"), json };
}

export const mapFilePath = () => labPath(cfg.router.mapFile);
export const socketPath = () => labPath(cfg.router.socket);
export const regionCfg = (id: string) => cfg.regions.find((r) => r.id === id)!;

/**
 * What the console's region watch does for the regions' write leases (workers/region-watch.ts): a
 * grant to each region every renewal interval. Tests that use the federation without the console
 * run it, or a region whose peer is down or cut off fences itself, as it must. Returns the stop.
 */
export function grantLeasesLikeTheConsole(federation: Pick<Federation, "grantLease" | "leasePolicy" | "regions">): () => void {
  const timer = setInterval(() => {
    for (const r of federation.regions) void federation.grantLease(r.id, Date.now()).catch(() => undefined);
  }, federation.leasePolicy().renewEveryMs);
  return () => clearInterval(timer);
}
