import { createHash } from "node:crypto";

// C1 (first part): each audit entry's hash covers the previous entry's hash and its own
// canonical content, so any edit, deletion or reordering breaks the chain at that entry.

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedContent {
  at: string;
  actorId: string | null;
  actorEmail: string;
  actorRole: string;
  action: string;
  outcome: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}

/** JSON with object keys sorted at every depth: one byte string per value. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

export function chainHash(prevHash: string, content: ChainedContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(content)).digest("hex");
}

export interface ChainBreak {
  seq: string;
  problem: "hash_mismatch" | "prev_mismatch";
}

/** Walks entries in seq order; returns the first break, or null when the chain holds. */
export function verifyChain(entries: Array<ChainedContent & { seq: string; prevHash: string; hash: string }>): ChainBreak | null {
  let prev = GENESIS_HASH;
  for (const e of entries) {
    if (e.prevHash !== prev) return { seq: e.seq, problem: "prev_mismatch" };
    const { seq: _s, prevHash: _p, hash, ...content } = e;
    if (chainHash(prev, content) !== hash) return { seq: e.seq, problem: "hash_mismatch" };
    prev = hash;
  }
  return null;
}
