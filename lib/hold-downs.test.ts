import { describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/db/types";
import { HoldDowns } from "./hold-downs";

// The write-behind logic over an in-memory stand-in for the hold_downs table, counting writes.
// (workers/repin-restart.test.ts runs it over the real database.)

interface Row {
  scope: string;
  key: string;
  since: Date | null;
  notBefore: Date | null;
  reason: string | null;
}

function fakeDb(opts: { delayMs?: number; failing?: () => boolean } = {}) {
  const rows = new Map<string, Row>();
  const writes: string[] = [];
  const id = (scope: string, key: string) => `${scope}/${key}`;
  const io = async () => {
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
    if (opts.failing?.()) throw new Error("database unavailable");
  };
  const holdDown = {
    async findMany({ where }: { where: { scope: string } }) {
      return [...rows.values()].filter((r) => r.scope === where.scope);
    },
    async deleteMany({ where }: { where: { scope: string; key: { in: string[] } } }) {
      await io();
      writes.push(`delete ${where.key.in.join(",")}`);
      for (const k of where.key.in) rows.delete(id(where.scope, k));
      return { count: where.key.in.length };
    },
    async upsert({ create }: { create: Row }) {
      await io();
      writes.push(`upsert ${create.key}`);
      rows.set(id(create.scope, create.key), { ...create });
      return create;
    },
  };
  return { db: { holdDown } as unknown as PrismaClient, rows, writes };
}

describe("hold-downs (write-behind)", () => {
  it("writes a change once and nothing when a value is set again unchanged", async () => {
    const { db, rows, writes } = fakeDb();
    const hd = new HoldDowns(db, "test.healthy");
    await hd.load(1000);
    hd.set("kl", { since: 1000, reason: "healthy" });
    await hd.flush();
    for (let i = 0; i < 10; i++) hd.set("kl", { since: 1000, reason: "healthy" });
    await hd.flush();
    expect(writes).toEqual(["upsert kl"]);
    expect(rows.get("test.healthy/kl")).toMatchObject({ since: new Date(1000), notBefore: null, reason: "healthy" });

    hd.delete("kl");
    hd.delete("kl");
    await hd.flush();
    expect(writes).toEqual(["upsert kl", "delete kl"]);
    expect(rows.size).toBe(0);
  });

  it("batches the changes made while a write is in flight into the next write (latest values win)", async () => {
    const { db, rows, writes } = fakeDb({ delayMs: 20 });
    const hd = new HoldDowns(db, "test.healthy");
    await hd.load(0);
    hd.set("kl", { since: 1 });
    // A flapping region while the first write is in flight: none of these is written on its own.
    for (let t = 2; t < 12; t++) {
      if (t % 2) hd.set("kl", { since: t });
      else hd.delete("kl");
      hd.set("cj", { since: t });
    }
    await hd.flush();
    expect(writes).toEqual(["upsert kl", "upsert kl", "upsert cj"]);
    expect(rows.get("test.healthy/kl")?.since).toEqual(new Date(11));
    expect(rows.get("test.healthy/cj")?.since).toEqual(new Date(11));
  });

  it("reads what an earlier instance saved and drops what holds nothing any more", async () => {
    const { db, rows } = fakeDb();
    const first = new HoldDowns(db, "test.retry");
    await first.load(0);
    first.set("t1", { notBefore: 5000, reason: "refused" });
    first.set("t2", { notBefore: 500 });
    await first.flush();

    const other = new HoldDowns(db, "test.other");
    await other.load(0);
    expect(other.entries()).toEqual([]);

    const second = new HoldDowns(db, "test.retry");
    await second.load(1000);
    expect(second.entries()).toEqual([["t1", { since: null, notBefore: 5000, reason: "refused" }]]);
    expect([...rows.keys()]).toEqual(["test.retry/t1"]);
  });

  it("keeps a failed change and writes it with the next one; flush reports the failure", async () => {
    let down = true;
    const errors: unknown[] = [];
    const { db, rows } = fakeDb({ failing: () => down });
    const hd = new HoldDowns(db, "test.healthy", { onError: (e) => errors.push(e) });
    await hd.load(0);
    hd.set("kl", { since: 1 });
    await expect(hd.flush()).rejects.toThrow("hold-downs test.healthy not saved: database unavailable");
    expect(errors.length).toBeGreaterThan(0);
    expect(hd.get("kl")?.since).toBe(1);
    down = false;
    hd.set("cj", { since: 2 });
    await hd.flush();
    expect([...rows.keys()].sort()).toEqual(["test.healthy/cj", "test.healthy/kl"]);
    expect(hd.lastError).toBeNull();
  });
});
