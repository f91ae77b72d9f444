// A tenant's write ledger for tests and benchmarks: keeps writing records through HAProxy's
// frontend and remembers every acknowledged write (a 201 = committed, must never be lost) and
// every refused or failed attempt, so a move can be checked for loss (`missingIn`) and its
// unavailable window measured.
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { loadLabConfig, regionOrThrow, type LabConfig } from "./config";

export interface AckedWrite {
  id: string;
  /** X-Served-By-Region of the 201 */
  region: string | null;
  sentAt: number;
  ackedAt: number;
}

export interface FailedWrite {
  sentAt: number;
  /** when the failure was known (answer or error) */
  at: number;
  /** HTTP status; null when there was no answer */
  status: number | null;
  region: string | null;
  error: string;
}

export interface UnavailableWindow {
  /** the first failed attempt was sent */
  from: number;
  /** the next acknowledged write came back (or, when none came before stop, the last failure) */
  to: number;
  ms: number;
  failures: number;
  /** no write was acknowledged after it before the writer stopped */
  open: boolean;
}

export interface LedgerResult {
  acked: AckedWrite[];
  failures: FailedWrite[];
  unavailableWindows: UnavailableWindow[];
  startedAt: number;
  stoppedAt: number;
}

export interface LedgerWriter {
  readonly tenant: string;
  /** acknowledged so far (live view) */
  ackedCount(): number;
  /** ids acknowledged so far (a copy) */
  ackedIds(): string[];
  failureCount(): number;
  /** Stops sending, waits for the requests in flight, returns the ledger. */
  stop(): Promise<LedgerResult>;
}

export type Attempt = { ok: true; w: AckedWrite } | { ok: false; f: FailedWrite };

/**
 * Windows of unavailability: consecutive failed attempts (in the order they were sent) between
 * two acknowledged ones. A window runs from the first failure's send to the next acknowledgement.
 */
export function unavailableWindows(attempts: Attempt[]): UnavailableWindow[] {
  const sorted = [...attempts].sort((a, b) => sentAt(a) - sentAt(b));
  const out: UnavailableWindow[] = [];
  let from: number | null = null;
  let failures = 0;
  let lastFailAt = 0;
  for (const a of sorted) {
    if (!a.ok) {
      from ??= a.f.sentAt;
      failures++;
      lastFailAt = Math.max(lastFailAt, a.f.at);
      continue;
    }
    if (from !== null) {
      out.push({ from, to: a.w.ackedAt, ms: a.w.ackedAt - from, failures, open: false });
      from = null;
      failures = 0;
    }
  }
  if (from !== null) out.push({ from, to: lastFailAt, ms: lastFailAt - from, failures, open: true });
  return out;
}
const sentAt = (a: Attempt) => (a.ok ? a.w.sentAt : a.f.sentAt);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startLedgerWriter(opts: {
  tenant: string;
  /** parallel writers (default 4) */
  concurrency?: number;
  /** pause of each writer between attempts (default 0; at least 10 ms after a failure, so a refusal does not spin) */
  intervalMs?: number;
  /** per request (default 5000) */
  requestTimeoutMs?: number;
  cfg?: LabConfig;
}): LedgerWriter {
  const cfg = opts.cfg ?? loadLabConfig();
  const tenant = opts.tenant.toLowerCase();
  const url = `http://${cfg.host}:${cfg.router.frontendPort}/records`;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const intervalMs = Math.max(0, opts.intervalMs ?? 0);
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const attempts: Attempt[] = [];
  let acked = 0;
  let failed = 0;
  let stopping = false;
  const startedAt = Date.now();
  let seq = 0;

  async function once(worker: number): Promise<boolean> {
    const t0 = Date.now();
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "x-tenant": tenant, "content-type": "application/json" },
        body: JSON.stringify({ body: `ledger ${tenant} w${worker} #${++seq}` }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const region = res.headers.get("x-served-by-region");
      const at = Date.now();
      let json: { id?: unknown; error?: unknown } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        /* not JSON: kept as the error text */
      }
      if (res.status === 201 && typeof json.id === "string") {
        attempts.push({ ok: true, w: { id: json.id, region, sentAt: t0, ackedAt: at } });
        acked++;
        return true;
      }
      attempts.push({ ok: false, f: { sentAt: t0, at, status: res.status, region, error: typeof json.error === "string" ? json.error : text.slice(0, 200) } });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const error = err.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `request failed: ${err.cause?.code ?? err.message}`;
      attempts.push({ ok: false, f: { sentAt: t0, at: Date.now(), status: null, region: null, error } });
    }
    failed++;
    return false;
  }

  const workers = Array.from({ length: concurrency }, async (_, i) => {
    while (!stopping) {
      const ok = await once(i);
      const pause = ok ? intervalMs : Math.max(10, intervalMs);
      if (pause > 0 && !stopping) await sleep(pause);
    }
  });

  return {
    tenant,
    ackedCount: () => acked,
    ackedIds: () => attempts.flatMap((a) => (a.ok ? [a.w.id] : [])),
    failureCount: () => failed,
    async stop(): Promise<LedgerResult> {
      stopping = true;
      await Promise.all(workers);
      const stoppedAt = Date.now();
      return {
        acked: attempts.flatMap((a) => (a.ok ? [a.w] : [])).sort((a, b) => a.ackedAt - b.ackedAt),
        failures: attempts.flatMap((a) => (a.ok ? [] : [a.f])).sort((a, b) => a.sentAt - b.sentAt),
        unavailableWindows: unavailableWindows(attempts),
        startedAt,
        stoppedAt,
      };
    },
  };
}

/**
 * The ids (acknowledged writes) NOT present in the region's MariaDB. Every reachable node of the
 * region is asked (on Galera after wsrep_sync_wait, so a node still applying is not mistaken for
 * loss); an id missing on any of them counts. Throws when no node of the region answers.
 */
export async function missingIn(regionId: string, ids: string[], opts: { cfg?: LabConfig; timeoutMs?: number } = {}): Promise<string[]> {
  const cfg = opts.cfg ?? loadLabConfig();
  const region = regionOrThrow(cfg, regionId);
  const galera = region.mariadb.kind === "galera";
  const unique = [...new Set(ids)];
  const missing = new Set<string>();
  let answered = 0;
  const errors: string[] = [];
  for (const n of region.mariadb.nodes) {
    const node = new MariadbNode(
      {
        name: n.name,
        host: region.net.address,
        port: n.port,
        user: cfg.mariadb.adminUser,
        password: cfg.mariadb.adminPassword,
        database: cfg.mariadb.database,
      },
      opts.timeoutMs ?? 5000,
    );
    try {
      const present = new Set<string>();
      for (let i = 0; i < unique.length; i += 1000) {
        const chunk = unique.slice(i, i + 1000);
        const rows = await node.client.query<{ id: string }>(`${galera ? "SET STATEMENT wsrep_sync_wait=1 FOR " : ""}SELECT id FROM records WHERE id IN (?)`, [
          chunk,
        ]);
        for (const r of rows) present.add(String(r.id));
      }
      for (const id of unique) if (!present.has(id)) missing.add(id);
      answered++;
    } catch (e) {
      errors.push(`${n.name}: ${(e as Error).message}`);
    } finally {
      await node.close();
    }
  }
  if (answered === 0) throw new Error(`missingIn(${regionId}): no MariaDB node answered (${errors.join("; ")})`);
  return unique.filter((id) => missing.has(id));
}
