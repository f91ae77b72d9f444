import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { listAudit, verifyAuditChain } from "@/lib/audit/service";
import { setRuntime } from "@/lib/runtime";
import { switchTenant, listTenantsQuery } from "@/lib/tenants/operations";
import { MUTATIONS } from "./registry";
import { execute } from "./execute";
import { safeSummary } from "./refusal";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  setRuntime(h.runtime());
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

describe("the operation registry", () => {
  it("names every browser-callable mutation by its audit name, with a permission and an audit target", () => {
    for (const [name, op] of Object.entries(MUTATIONS)) {
      expect(op.kind).toBe("mutation");
      expect(op.name).toBe(name);
      expect(op.permission).toMatch(/^[a-z_]+(:[a-z_]+)?$/);
      expect(typeof op.target).toBe("function");
    }
  });
});

describe("invoke and execute", () => {
  it("audits a domain refusal once, with its receipt, and changes nothing", async () => {
    const t = await h.database.prisma.tenant.findUniqueOrThrow({ where: { id: "poliklinik-bangsar" } });
    const before = await h.database.prisma.auditEntry.count();
    const err = await h
      .invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version, reason: "test" })
      .catch((e) => e);
    expect(err).toMatchObject({ status: 409, code: "residency_violation" });
    expect(await h.database.prisma.auditEntry.count()).toBe(before + 1);
    const [entry] = await listAudit(h.database.prisma, { limit: 1 });
    expect(err.details.receipt).toEqual({ auditSeq: entry.seq, hash: entry.hash });
    expect(entry).toMatchObject({
      action: "tenant.switch",
      outcome: "refused",
      targetType: "tenant",
      targetId: t.id,
      before: { servingRegionId: "kl_dc_1", version: t.version },
      after: { requestedRegionId: "cyberjaya_1", refusal: "residency_violation" },
      reason: expect.stringMatching(/\(requested because: test\)$/),
    });
    expect(await h.database.prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toEqual(t);
  });

  it("audits an admin's invalid input as an attempt, storing an escaped, bounded rendering; the chain still verifies", async () => {
    const hostile = { tenantId: "klinik-sibu\u0000", targetRegionId: "\ud800", expectedVersion: "x".repeat(2000) };
    const err = await h.invoke(switchTenant, h.actors.admin, hostile).catch((e) => e);
    expect(err).toMatchObject({ status: 400, code: "bad_request" });
    expect(err.details.receipt.auditSeq).toMatch(/^\d+$/);
    const [entry] = await listAudit(h.database.prisma, { limit: 1 });
    expect(entry).toMatchObject({ action: "tenant.switch", outcome: "refused", targetType: "request" });
    const input = (entry.after as { input: string }).input;
    expect(typeof input).toBe("string");
    expect(input.length).toBeLessThanOrEqual(501);
    expect(input).toContain("\\u0000");
    expect(input).toContain("\\ud800");
    expect((await verifyAuditChain(h.database.prisma)).break).toBeNull();
  });

  it("refuses a role without the permission (audited with a receipt) and never audits reads", async () => {
    const count = () => h.database.prisma.auditEntry.count();
    const n0 = await count();
    const err = await execute(switchTenant, h.actors.overseer, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", expectedVersion: 1 }, "req-1").catch(
      (e) => e,
    );
    expect(err).toMatchObject({ status: 403, code: "forbidden", details: { receipt: { auditSeq: expect.any(String) } } });
    expect(await count()).toBe(n0 + 1);
    const [entry] = await listAudit(h.database.prisma, { limit: 1 });
    expect(entry).toMatchObject({ actorEmail: "overseer@federation.local", targetType: "permission", targetId: "tenant:switch", requestId: "req-1" });
    await execute(listTenantsQuery, h.actors.overseer, {}, "req-2");
    await execute(listTenantsQuery, h.actors.overseer, { residency: "nope" }, "req-3").catch(() => undefined);
    expect(await count()).toBe(n0 + 1);
  });

  it("tells listeners that the audit log grew, after a change and after a refusal", async () => {
    // Listeners hear of entries written; a repeat inside an open refusal window is only counted.
    const { flushRefusalWindows } = await import("./refusal-log");
    await flushRefusalWindows(h.services);
    const seen: string[] = [];
    const off = h.bus.on("audit:appended", (e) => seen.push(e.action));
    await execute(switchTenant, h.actors.overseer, {}, "req-4").catch(() => undefined);
    await h.invoke(switchTenant, h.actors.admin, { tenantId: "nowhere", targetRegionId: "kl_dc_1", expectedVersion: 1 }).catch(() => undefined);
    off();
    expect(seen).toEqual(["tenant.switch", "tenant.switch"]);
  });

  it("tells listeners once for a run of repeated refusals: the audit page is not refetched per attempt", async () => {
    const { flushRefusalWindows } = await import("./refusal-log");
    await flushRefusalWindows(h.services);
    const seen: string[] = [];
    const off = h.bus.on("audit:appended", (e) => seen.push(e.action));
    for (let i = 0; i < 5; i++) await execute(switchTenant, h.actors.compliance, {}, `rep-${i}`).catch(() => undefined);
    off();
    expect(seen).toEqual(["tenant.switch"]);
  });

  it("answers 401 when nobody is signed in", async () => {
    await expect(execute(switchTenant, null, {}, "req-5")).rejects.toMatchObject({ status: 401, code: "unauthenticated" });
  });
});

describe("safeSummary", () => {
  it("escapes control characters and lone surrogates and bounds the length", () => {
    expect(safeSummary({ a: "\u0000\u0085\ud800" })).toBe('{"a":"\\u0000\\u0085\\ud800"}');
    expect(safeSummary("x".repeat(600))).toHaveLength(501);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(safeSummary(cyclic)).toBe("(unserialisable input)");
    expect(safeSummary(undefined)).toBe("null");
  });
});

describe("floods", () => {
  it("throttles one user's changes with 429 and a retry time; a flood of refusals is two audit entries", async () => {
    const { Limiter } = await import("@/lib/http/rate-limit");
    const { flushRefusalWindows } = await import("./refusal-log");
    const rt = h.runtime({ MUTATIONS_PER_MINUTE: 5 });
    rt.limits.mutation = new Limiter({ name: "mutation-test", points: 5, durationSec: 60, what: "changes" });
    setRuntime(rt);
    await flushRefusalWindows(h.services);
    try {
      const count = () => h.database.prisma.auditEntry.count();
      const n0 = await count();
      const codes: string[] = [];
      for (let i = 0; i < 50; i++) {
        const e = await execute(
          switchTenant,
          h.actors.overseer,
          { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", expectedVersion: 1 },
          `flood-${i}`,
        ).catch((x) => x);
        codes.push(e.code);
      }
      expect(codes.slice(0, 5)).toEqual(Array(5).fill("forbidden"));
      expect(codes.slice(5).every((c) => c === "rate_limited")).toBe(true);
      const limited = await execute(switchTenant, h.actors.overseer, {}, "flood-x").catch((x) => x);
      expect(limited).toMatchObject({ status: 429, details: { retryAfterSec: expect.any(Number) } });
      expect(limited.message).toMatch(/^Too many changes: at most 5 in 1 min\. Try again in \d+ s\.$/);
      // The first forbidden and the first throttled attempt are entries of their own …
      expect(await count()).toBe(n0 + 2);
      // … and the rest of the minute is one summary entry each.
      await flushRefusalWindows(h.services);
      expect(await count()).toBe(n0 + 4);
      const [summary] = await listAudit(h.database.prisma, { limit: 1 });
      expect(summary).toMatchObject({ outcome: "refused", after: { repeats: expect.any(Number) } });
      expect((await verifyAuditChain(h.database.prisma, { full: true })).breaks).toEqual([]);
    } finally {
      setRuntime(h.runtime());
    }
  });
});
