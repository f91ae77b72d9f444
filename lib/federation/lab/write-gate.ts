// Per-tenant write fencing inside one region's app server (lab/app/app.ts), kept free of I/O so
// it can be unit-tested. A fence refuses new writes of the tenant at once; `drain` then waits
// for the writes already admitted, so once it resolves nothing more of that tenant can commit.
//
// Admission and the fence check happen in one synchronous step (`enter`): Node runs one handler
// at a time between awaits, so a write is either counted in flight or refused, never neither.

import path from "node:path";

export interface FenceEntry {
  /** ISO time the fence was set */
  since: string;
}

export class DrainTimeoutError extends Error {
  constructor(
    readonly tenant: string,
    readonly inFlight: number,
    readonly waitedMs: number,
  ) {
    super(`${inFlight} write(s) of tenant ${tenant} still in flight after ${waitedMs} ms (the fence stays set)`);
    this.name = "DrainTimeoutError";
  }
}

export class TenantWriteGate {
  private readonly fences = new Map<string, FenceEntry>();
  private readonly inFlight = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(initial: Iterable<[string, FenceEntry]> = []) {
    for (const [t, e] of initial) this.fences.set(t, e);
  }

  isFenced(tenant: string): boolean {
    return this.fences.has(tenant);
  }

  /** Current fences, sorted by tenant (what gets persisted). */
  list(): Array<{ tenant: string } & FenceEntry> {
    return [...this.fences.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([tenant, e]) => ({ tenant, ...e }));
  }

  inFlightCounts(): Record<string, number> {
    return Object.fromEntries([...this.inFlight.entries()].filter(([, n]) => n > 0));
  }

  /**
   * Admits one write of the tenant, or refuses it (null) when the tenant is fenced. The returned
   * release must be called exactly once, when the write can no longer commit nor be acknowledged.
   */
  enter(tenant: string): (() => void) | null {
    if (this.fences.has(tenant)) return null;
    this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.inFlight.get(tenant) ?? 1) - 1;
      if (n > 0) {
        this.inFlight.set(tenant, n);
        return;
      }
      this.inFlight.delete(tenant);
      const ws = this.waiters.get(tenant);
      this.waiters.delete(tenant);
      for (const w of ws ?? []) w();
    };
  }

  /** Sets or lifts the fence (idempotent); true when something changed. */
  set(tenant: string, fenced: boolean, now = new Date()): boolean {
    if (fenced) {
      if (this.fences.has(tenant)) return false;
      this.fences.set(tenant, { since: now.toISOString() });
      return true;
    }
    return this.fences.delete(tenant);
  }

  /** Resolves when no write of the tenant is in flight; rejects with DrainTimeoutError after timeoutMs. */
  drain(tenant: string, timeoutMs: number): Promise<{ waitedMs: number }> {
    const t0 = Date.now();
    if ((this.inFlight.get(tenant) ?? 0) === 0) return Promise.resolve({ waitedMs: 0 });
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(tenant);
      if (!set) this.waiters.set(tenant, (set = new Set()));
      const waiter = () => {
        clearTimeout(timer);
        resolve({ waitedMs: Date.now() - t0 });
      };
      const timer = setTimeout(() => {
        set!.delete(waiter);
        reject(new DrainTimeoutError(tenant, this.inFlight.get(tenant) ?? 0, Date.now() - t0));
      }, timeoutMs);
      set.add(waiter);
    });
  }
}

const TENANT = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const isTenantSlug = (t: string) => TENANT.test(t);

/** The fence file of one region: `{"version":1,"region":"kl_dc_1","fences":{"<tenant>":{"since":"…"}}}`. */
export function serializeFences(regionId: string, fences: Array<{ tenant: string } & FenceEntry>): string {
  return `${JSON.stringify({ version: 1, region: regionId, fences: Object.fromEntries(fences.map((f) => [f.tenant, { since: f.since }])) }, null, 2)}\n`;
}

/** Parses a fence file; throws on anything unexpected (the app then refuses to start: a lost fence could lose writes). */
export function parseFences(text: string, regionId: string): Array<[string, FenceEntry]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`fence file is not JSON: ${(e as Error).message}`);
  }
  const o = raw as { version?: unknown; region?: unknown; fences?: unknown };
  if (!o || typeof o !== "object" || o.version !== 1) throw new Error("fence file: expected version 1");
  if (o.region !== regionId) throw new Error(`fence file belongs to region ${String(o.region)}, not ${regionId}`);
  if (!o.fences || typeof o.fences !== "object" || Array.isArray(o.fences)) throw new Error("fence file: fences must be an object");
  const out: Array<[string, FenceEntry]> = [];
  for (const [tenant, e] of Object.entries(o.fences as Record<string, unknown>)) {
    if (!isTenantSlug(tenant)) throw new Error(`fence file: bad tenant "${tenant}"`);
    const since = (e as { since?: unknown })?.since;
    if (typeof since !== "string" || Number.isNaN(Date.parse(since))) throw new Error(`fence file: bad "since" for ${tenant}`);
    out.push([tenant, { since }]);
  }
  return out;
}

/**
 * Where a region's app keeps its fences: a file under the lab's data dir, one per region. Not in
 * the region's MariaDB: anything written there is binlogged and replicated to the other region
 * (a fence is one region's state), it would move the very GTID position a move waits for, and
 * the app user cannot write while the region is read_only — exactly when fences matter.
 */
export function fenceFilePath(dataDir: string, regionId: string): string {
  return path.join(dataDir, "fences", `${regionId}.json`);
}
