import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { listAudit, recordAuditAlone, verifyAuditChain } from "./service";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const HOSTILE = ["\ud800", "a\udfffb", "\u0000", "nul\u0000inside", "\u202e\u2028\u0007", "é".normalize("NFD"), "😀".slice(0, 1), "\\u0000", "%_\\"];

describe("the audit chain holds whatever a caller managed to send", () => {
  it("stores hostile strings in every field and still verifies, end to end", async () => {
    for (const s of HOSTILE) {
      await recordAuditAlone(h.database.prisma, {
        actor: h.actors.admin,
        action: "tenant.switch",
        outcome: "succeeded",
        targetType: "tenant",
        targetId: s,
        before: { [s]: s, list: [s, { s }] },
        after: s,
        reason: s,
        requestId: s,
      });
    }
    const v = await verifyAuditChain(h.database.prisma, { full: true });
    expect(v.breaks).toEqual([]);
    const [latest] = await listAudit(h.database.prisma, { limit: 1 });
    expect(latest.reason).toBe("%_\\");
  });

  it("finds every tampered entry (done in SQL), then verifies incrementally from its checkpoint once repaired", async () => {
    const db = h.database.prisma;
    const full = await verifyAuditChain(db, { full: true });
    expect(full).toMatchObject({ mode: "full", breaks: [] });
    const again = await verifyAuditChain(db);
    expect(again).toMatchObject({ mode: "incremental", checked: 0, breaks: [] });

    const [a, b] = await db.auditEntry.findMany({ orderBy: { seq: "asc" }, take: 2, skip: 2 });
    await db.$executeRawUnsafe(`UPDATE audit_entries SET reason = 'rewritten' WHERE seq = ${a.seq}`);
    await db.$executeRawUnsafe(`UPDATE audit_entries SET outcome = 'refused' WHERE seq = ${b.seq}`);
    // A routine (incremental) check starts after its checkpoint; a full one finds both edits.
    const tampered = await verifyAuditChain(db, { full: true });
    expect(tampered.breaks).toEqual([
      { seq: a.seq.toString(), problem: "hash_mismatch" },
      { seq: b.seq.toString(), problem: "hash_mismatch" },
    ]);
    expect(tampered.verifiedThrough).toBeNull();
  });
});
