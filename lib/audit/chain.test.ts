import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalJson, chainHash, storedForm, verifyChain, type ChainedContent } from "./chain";

function entry(i: number): ChainedContent {
  return {
    at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    actorId: "u-admin",
    actorEmail: "admin@federation.local",
    actorRole: "admin",
    action: "tenant.switch",
    outcome: "succeeded",
    targetType: "tenant",
    targetId: `klinik-${i}`,
    before: { servingRegionId: "kl_dc_1", version: i },
    after: { servingRegionId: "cyberjaya_1", version: i + 1 },
    reason: null,
    requestId: `r${i}`,
  };
}

function chain(n: number) {
  let prev = GENESIS_HASH;
  return Array.from({ length: n }, (_, i) => {
    const c = entry(i);
    const hash = chainHash(prev, c);
    const row = { ...c, seq: String(i + 1), prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

describe("audit hash chain", () => {
  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it("verifies an intact chain", () => {
    expect(verifyChain(chain(20))).toEqual([]);
  });

  it("detects and locates an edited entry", () => {
    const rows = chain(10);
    rows[4] = { ...rows[4], after: { servingRegionId: "kl_dc_1", version: 5 } };
    expect(verifyChain(rows)).toEqual([{ seq: "5", problem: "hash_mismatch" }]);
  });

  it("detects and locates a deleted entry", () => {
    const rows = chain(10);
    rows.splice(6, 1);
    expect(verifyChain(rows)).toEqual([{ seq: "8", problem: "prev_mismatch" }]);
  });

  it("detects a rewritten chain tail whose first entry no longer links", () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], prevHash: GENESIS_HASH };
    expect(verifyChain(rows).map((b) => b.seq)).toEqual(["3", "3"]);
  });

  it("reports every break and keeps checking the entries after one against their own links", () => {
    const rows = chain(12);
    rows[2] = { ...rows[2], reason: "edited" };
    rows.splice(7, 1);
    rows[9] = { ...rows[9], after: null };
    expect(verifyChain(rows)).toEqual([
      { seq: "3", problem: "hash_mismatch" },
      { seq: "9", problem: "prev_mismatch" },
      { seq: "11", problem: "hash_mismatch" },
    ]);
  });

  it("verifies from a checkpoint: only what came after it", () => {
    const rows = chain(10);
    expect(verifyChain(rows.slice(6), { hash: rows[5].hash })).toEqual([]);
    expect(verifyChain(rows.slice(6), { hash: rows[4].hash })).toEqual([{ seq: "7", problem: "prev_mismatch" }]);
  });

  it("stores a lone surrogate as U+FFFD and NUL as a visible escape, at every depth, keys included", () => {
    expect(storedForm({ a: "x\ud800y", "k\u0000": ["\u0000", undefined, { b: undefined, c: 1 }] })).toEqual({
      a: "x\ufffdy",
      "k\\u0000": ["\\u0000", null, { c: 1 }],
    });
  });
});
