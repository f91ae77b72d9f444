import { describe, expect, it } from "vitest";
import { checkPolicy, leaseDeadline, WriteLease, type LeasePolicy } from "./lease";

const policy: LeasePolicy = { lengthMs: 4000, skewMarginMs: 500, renewEveryMs: 1000 };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("WriteLease", () => {
  it("holds no lease until granted, then until issuedAt + length, never from arrival", () => {
    const c = clock();
    const lease = new WriteLease(policy, null, c.now);
    expect(lease.holds()).toBe(false);
    expect(lease.refusal("kl")).toMatch(/no write lease yet/);
    // issued 300 ms ago (in transit): the lease ends 4000 ms after issue, not after arrival
    expect(lease.accept({ from: "console", issuedAt: c.now() - 300, validMs: 4000 })).toEqual({ ok: true, until: c.now() + 3700 });
    c.advance(3699);
    expect(lease.holds()).toBe(true);
    c.advance(1);
    expect(lease.holds()).toBe(false);
    expect(lease.refusal("kl")).toMatch(/ran out 0\.0 s ago/);
  });

  it("a renewal never shortens the lease; the other region's grant counts like the console's", () => {
    const c = clock();
    const lease = new WriteLease(policy, null, c.now);
    lease.accept({ from: "console", issuedAt: c.now(), validMs: 4000 });
    expect(lease.accept({ from: "cyberjaya_1", issuedAt: c.now() - 400, validMs: 2000 })).toEqual({ ok: true, until: c.now() + 4000 });
    c.advance(3000);
    lease.accept({ from: "cyberjaya_1", issuedAt: c.now(), validMs: 4000 });
    c.advance(3000);
    expect(lease.holds()).toBe(true);
    expect(lease.view().lastGrant?.from).toBe("cyberjaya_1");
  });

  it("refuses grants outside the skew margin, longer than the policy, or malformed", () => {
    const c = clock();
    const lease = new WriteLease(policy, null, c.now);
    expect(lease.accept({ from: "console", issuedAt: c.now() - 501, validMs: 4000 })).toMatchObject({ ok: false, reason: /501 ms ago.*skew margin/ });
    expect(lease.accept({ from: "console", issuedAt: c.now() + 600, validMs: 4000 })).toMatchObject({ ok: false, reason: /ahead/ });
    expect(lease.accept({ from: "console", issuedAt: c.now(), validMs: 60_000 })).toMatchObject({ ok: false, reason: /longer than the lease/ });
    expect(lease.accept({ from: "console", issuedAt: Number.NaN, validMs: 4000 })).toMatchObject({ ok: false });
    expect(lease.holds()).toBe(false);
  });

  it("a fence stops writes at once and no grant lifts it; unfence lets grants count again", () => {
    const c = clock();
    const lease = new WriteLease(policy, null, c.now);
    lease.accept({ from: "console", issuedAt: c.now(), validMs: 4000 });
    lease.setFence("failover f1 moved its tenants to cyberjaya_1");
    expect(lease.holds()).toBe(false);
    expect(lease.accept({ from: "cyberjaya_1", issuedAt: c.now(), validMs: 4000 })).toMatchObject({ ok: false, reason: /fenced by the console/ });
    expect(lease.refusal("kl")).toMatch(/fenced by the console \(failover f1/);
    lease.unfence();
    expect(lease.holds()).toBe(false);
    expect(lease.accept({ from: "console", issuedAt: c.now(), validMs: 4000 }).ok).toBe(true);
  });

  it("a fence persisted before a restart is in force from the start", () => {
    const lease = new WriteLease(policy, { reason: "failover", since: 5 });
    expect(lease.accept({ from: "console", issuedAt: Date.now(), validMs: 4000 }).ok).toBe(false);
  });
});

describe("lease policy", () => {
  it("the deadline adds the length and the skew margin to the last issue time", () => {
    expect(leaseDeadline(10_000, policy)).toBe(14_500);
  });
  it("rejects a lease too short for two renewals", () => {
    expect(checkPolicy(policy)).toBeNull();
    expect(checkPolicy({ lengthMs: 1500, skewMarginMs: 0, renewEveryMs: 1000 })).toMatch(/two renewals/);
    expect(checkPolicy({ lengthMs: 0, skewMarginMs: 0, renewEveryMs: 1000 })).toMatch(/positive/);
  });
});
