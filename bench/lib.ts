// Shared by the benchmarks: start the console as a child process, sign in, measure a process tree.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Console {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the production build (npm start builds it) on a free port with a fresh database. */
export async function startConsole(mode: "sim" | "lab", extraEnv: Record<string, string> = {}): Promise<Console> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), "fc-bench-"));
  const child = spawn("npx", ["--no-install", "tsx", "server.ts"], {
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), DATA_DIR: dataDir, FEDERATION_MODE: mode, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://localhost:${port}`;
  const t0 = Date.now();
  while (Date.now() - t0 < 90_000) {
    if (child.exitCode !== null) throw new Error(`console exited:\n${log}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    pid: child.pid!,
    child,
    async stop() {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 500));
    },
  };
}

/** Signs in with next-auth's credentials flow; returns the Cookie header for later requests. */
export async function signIn(url: string, email = "overseer@federation.local", password = "federation-demo"): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  keep(csrfRes);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    redirect: "manual",
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.endsWith("session-token"))) throw new Error(`sign-in failed (HTTP ${res.status})`);
  return header();
}

/** Every pid in the tree under `root` (npx → tsx → node). */
function tree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    try {
      const kids = execFileSync("pgrep", ["-P", String(out[i])], { encoding: "utf8" })
        .trim()
        .split("\n")
        .filter(Boolean)
        .map(Number);
      out.push(...kids);
    } catch {
      /* no children */
    }
  }
  return out;
}

export interface ProcSample {
  cpuSeconds: number;
  rssMiB: number;
}

/** CPU time used so far and resident memory of the whole process tree. */
export function procSample(root: number): ProcSample {
  const tick = 100; // USER_HZ on Linux
  let cpu = 0;
  let rss = 0;
  for (const pid of tree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu += (Number(fields[11]) + Number(fields[12])) / tick;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) rss += Number(m[1]) / 1024;
    } catch {
      /* exited */
    }
  }
  return { cpuSeconds: cpu, rssMiB: rss };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

export function labIsUp(): boolean {
  try {
    execFileSync(path.resolve("lab/status"), { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The console's JSON API as a signed-in user (the session cookie, the console's Origin). */
export function consoleApi(url: string, cookie: string) {
  return async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { cookie, origin: new URL(url).origin, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const j = (await r.json()) as { data: T; error?: { message: string } };
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${j.error?.message}`);
    return j.data;
  };
}

/**
 * A fresh console against the lab's router may find a route drift (routes an earlier run or
 * another console left): resolved explicitly, audited, by pushing the console's table — never
 * silently. Returns how many tenants were in drift.
 */
export async function pushConsoleRoutes(api: ReturnType<typeof consoleApi>, reason: string): Promise<number> {
  const drift = await api<{ rows: unknown[] }>("GET", "/api/routes/drift");
  if (drift.rows.length) await api("POST", "/api/routes/drift/resolve", { resolution: "push_console", reason });
  return drift.rows.length;
}
