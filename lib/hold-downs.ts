import "server-only";
import type { PrismaClient } from "@/lib/db/types";

// Hold-downs that survive a restart (table hold_downs). A worker keeps one `HoldDowns` per scope:
// read once at start, then read from memory (on every health sample) and written behind on a
// change only — setting the value a key already has writes nothing. At most one write is in
// flight per scope; the changes made meanwhile go out together in the next one, so a burst of
// changes (a flapping region) costs a few writes, not one per sample.
//
// Scopes are named "<owner>.<what>" and keyed by what they hold down: "repin.region_healthy" by
// region id (since when the region has been healthy and caught up), "repin.tenant_retry" by
// tenant id (no re-pin before notBefore). The failover engine's anti-flap hold-downs take scopes
// of their own.

export interface HoldDown {
  /** Since when the condition has held continuously (epoch ms). */
  since: number | null;
  /** The owner does not act on the key before this time (epoch ms). */
  notBefore: number | null;
  /** Why, for the people reading the table. */
  reason: string | null;
}

export interface HoldDownsOptions {
  /** A write failed (it is retried with the next change or flush). Default: console.error. */
  onError?: (e: unknown) => void;
}

export class HoldDowns {
  private readonly mem = new Map<string, HoldDown>();
  private readonly dirty = new Set<string>();
  private writing: Promise<void> | null = null;
  private loaded = false;
  /** The last write's failure, until a write succeeds. */
  lastError: string | null = null;

  constructor(
    private readonly db: PrismaClient,
    readonly scope: string,
    private readonly opts: HoldDownsOptions = {},
  ) {}

  /**
   * Reads the scope's rows. A row that holds nothing any more (no `since`, `notBefore` passed) is
   * dropped. A key changed before the load keeps its newer value.
   */
  async load(now = Date.now()): Promise<void> {
    const rows = await this.db.holdDown.findMany({ where: { scope: this.scope } });
    const spent: string[] = [];
    for (const r of rows) {
      const v: HoldDown = { since: r.since?.getTime() ?? null, notBefore: r.notBefore?.getTime() ?? null, reason: r.reason };
      if (v.since === null && (v.notBefore === null || v.notBefore <= now)) spent.push(r.key);
      else if (!this.dirty.has(r.key)) this.mem.set(r.key, v);
    }
    if (spent.length) await this.db.holdDown.deleteMany({ where: { scope: this.scope, key: { in: spent } } });
    this.loaded = true;
  }

  get(key: string): HoldDown | undefined {
    return this.mem.get(key);
  }

  entries(): [string, HoldDown][] {
    return [...this.mem.entries()];
  }

  /** Changes the given fields of a key's hold-down; one that then holds nothing is deleted. */
  set(key: string, change: Partial<HoldDown>): void {
    const cur = this.mem.get(key);
    const next: HoldDown = { since: null, notBefore: null, reason: null, ...cur, ...change };
    if (next.since === null && next.notBefore === null) {
      this.delete(key);
      return;
    }
    if (cur && cur.since === next.since && cur.notBefore === next.notBefore && cur.reason === next.reason) return;
    this.mem.set(key, next);
    this.changed(key);
  }

  delete(key: string): void {
    // Before load() the row may exist without being in memory: delete it anyway.
    if (!this.mem.delete(key) && this.loaded) return;
    this.changed(key);
  }

  /** Waits until every change made so far is written; throws if the write fails. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.dirty.size === 0) return;
    this.kick();
    while (this.writing) await this.writing;
    if (this.dirty.size) throw new Error(`hold-downs ${this.scope} not saved: ${this.lastError ?? "unknown error"}`);
  }

  private changed(key: string): void {
    this.dirty.add(key);
    this.kick();
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = null;
      // A change made between the last write and here; after a failure, the next change retries.
      if (this.dirty.size && this.lastError === null) this.kick();
    });
  }

  private async writeAll(): Promise<void> {
    while (this.dirty.size) {
      const keys = [...this.dirty];
      this.dirty.clear();
      try {
        await this.write(keys);
        this.lastError = null;
      } catch (e) {
        // Kept dirty: the next change or flush writes them again (the memory is the truth meanwhile).
        for (const k of keys) if (!this.dirty.has(k)) this.dirty.add(k);
        this.lastError = e instanceof Error ? e.message : String(e);
        if (this.opts.onError) this.opts.onError(e);
        else console.error(`[hold-downs] ${this.scope}: ${this.lastError}`);
        return;
      }
    }
  }

  /** Writes the current values of `keys`: absent ones are deleted. */
  private async write(keys: string[]): Promise<void> {
    const gone = keys.filter((k) => !this.mem.has(k));
    if (gone.length) await this.db.holdDown.deleteMany({ where: { scope: this.scope, key: { in: gone } } });
    for (const key of keys) {
      const v = this.mem.get(key);
      if (!v) continue;
      const data = {
        since: v.since === null ? null : new Date(v.since),
        notBefore: v.notBefore === null ? null : new Date(v.notBefore),
        reason: v.reason,
      };
      await this.db.holdDown.upsert({ where: { scope_key: { scope: this.scope, key } }, create: { scope: this.scope, key, ...data }, update: data });
    }
  }
}
