import { createHash } from "node:crypto";
import type { ChainedContent } from "./types";

// C1 (first part): each audit entry's hash covers the previous entry's hash and its own
// canonical content, so any edit, deletion or reordering breaks the chain at that entry.

export const GENESIS_HASH = "0".repeat(64);

export type { ChainedContent } from "./types";

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
  /** hash_mismatch: the entry's content or hash was changed; prev_mismatch: it does not link to the entry before it (one was deleted, inserted or reordered). */
  problem: "hash_mismatch" | "prev_mismatch";
}

type Row = ChainedContent & { seq: string; prevHash: string; hash: string };

/**
 * Walks entries in seq order and returns every break, not only the first: after a break each
 * entry is still checked against its own link (the stored hash of the entry before it), so one
 * bad entry never hides the state of the rest. `from` is a verified checkpoint to start after.
 */
export function verifyChain(entries: Row[], from: { hash: string } = { hash: GENESIS_HASH }): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let prev = from.hash;
  for (const e of entries) {
    if (e.prevHash !== prev) breaks.push({ seq: e.seq, problem: "prev_mismatch" });
    const { seq: _s, prevHash, hash, ...content } = e;
    if (chainHash(prevHash, content) !== hash) breaks.push({ seq: e.seq, problem: "hash_mismatch" });
    prev = hash;
  }
  return breaks;
}

/**
 * The form a value takes once stored and read back: what the hash must cover. Strings become
 * well-formed (a lone surrogate is stored as U+FFFD) and NUL, which PostgreSQL text and jsonb
 * refuse, is written as the visible escape "\u0000"; JSON round-trips drop undefined.
 */
export function storedForm<T>(v: T): T {
  if (typeof v === "string") return (v as string).toWellFormed().replaceAll("\u0000", "\\u0000") as T;
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : storedForm(x))) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[storedForm(k)] = storedForm(x);
  return out as T;
}
