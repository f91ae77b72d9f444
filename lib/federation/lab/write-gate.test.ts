import { describe, expect, it } from "vitest";
import { DrainTimeoutError, TenantWriteGate, fenceFilePath, parseFences, serializeFences } from "./write-gate";

describe("TenantWriteGate", () => {
  it("refuses writes of a fenced tenant only, and lifts the fence", () => {
    const g = new TenantWriteGate();
    expect(g.set("a", true)).toBe(true);
    expect(g.set("a", true)).toBe(false); // idempotent
    expect(g.enter("a")).toBeNull();
    const rb = g.enter("b");
    expect(rb).toBeTypeOf("function");
    expect(g.inFlightCounts()).toEqual({ b: 1 });
    rb!();
    rb!(); // a second release is ignored
    expect(g.inFlightCounts()).toEqual({});
    expect(g.set("a", false)).toBe(true);
    expect(g.set("a", false)).toBe(false);
    expect(g.enter("a")).not.toBeNull();
  });

  it("drain resolves at once with nothing in flight, else when the last write of the tenant is released", async () => {
    const g = new TenantWriteGate();
    expect(await g.drain("a", 10)).toEqual({ waitedMs: 0 });
    const r1 = g.enter("a")!;
    const r2 = g.enter("a")!;
    const other = g.enter("b")!;
    g.set("a", true);
    let resolved = false;
    const p = g.drain("a", 2000).then((x) => {
      resolved = true;
      return x;
    });
    r1();
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false); // r2 still in flight; b's write does not count
    r2();
    const { waitedMs } = await p;
    expect(waitedMs).toBeGreaterThanOrEqual(25);
    other();
  });

  it("drain times out with a typed error naming what is still in flight", async () => {
    const g = new TenantWriteGate();
    const r = g.enter("a")!;
    g.set("a", true);
    const e = await g.drain("a", 50).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DrainTimeoutError);
    expect(e).toMatchObject({ tenant: "a", inFlight: 1 });
    expect((e as Error).message).toMatch(/1 write\(s\) of tenant a still in flight after \d+ ms \(the fence stays set\)/);
    expect(g.isFenced("a")).toBe(true);
    r();
  });
});

describe("fence file", () => {
  it("round-trips and is per region", () => {
    const text = serializeFences("kl_dc_1", [{ tenant: "klinik-a", since: "2026-01-02T03:04:05.000Z" }]);
    expect(parseFences(text, "kl_dc_1")).toEqual([["klinik-a", { since: "2026-01-02T03:04:05.000Z" }]]);
    expect(() => parseFences(text, "cyberjaya_1")).toThrow(/belongs to region kl_dc_1, not cyberjaya_1/);
    expect(parseFences(serializeFences("x", []), "x")).toEqual([]);
    expect(fenceFilePath("/d/.lab", "kl_dc_1")).toBe("/d/.lab/fences/kl_dc_1.json");
  });

  it("rejects anything unexpected rather than starting without a fence", () => {
    expect(() => parseFences("{", "r")).toThrow(/not JSON/);
    expect(() => parseFences('{"version":2,"region":"r","fences":{}}', "r")).toThrow(/version 1/);
    expect(() => parseFences('{"version":1,"region":"r","fences":[]}', "r")).toThrow(/must be an object/);
    expect(() => parseFences('{"version":1,"region":"r","fences":{"Bad Tenant":{"since":"2026-01-01T00:00:00Z"}}}', "r")).toThrow(/bad tenant/);
    expect(() => parseFences('{"version":1,"region":"r","fences":{"a":{"since":"never"}}}', "r")).toThrow(/bad "since"/);
  });
});
