// Helpers for integration tests against the running lab (lab/up must have been run).
import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
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
  const ports: [string, number][] = [["haproxy", cfg.router.frontendPort]];
  for (const r of cfg.regions) {
    ports.push([`app ${r.id}`, r.appPort], [r.postgres.name, r.postgres.port], [r.s3.name, r.s3.port], [r.inference.name, r.inference.port]);
    for (const n of r.mariadb.nodes) ports.push([n.name, n.port]);
  }
  const down: string[] = [];
  await Promise.all(
    ports.map(async ([name, port]) => {
      if (!(await portOpen(cfg.host, port))) down.push(`${name} (${cfg.host}:${port})`);
    }),
  );
  if (down.length) throw new Error(`the lab is not running (nothing on ${down.join(", ")}): start it with lab/up`);
}

/** lab/ctl <component> <action> */
export function labCtl(component: string, action: "start" | "stop" | "kill" | "restart" | "status"): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(REPO_ROOT, "lab", "ctl"),
      [component, action],
      { timeout: 120_000, env: { ...process.env, LAB_CONFIG: process.env.LAB_CONFIG ?? "" } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`lab/ctl ${component} ${action} failed: ${stderr || err.message}`));
        else resolve(stdout + stderr);
      },
    );
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
