// F2, no split brain by construction: a region's app acknowledges writes only while it holds a
// write lease, granted for a fixed length by the console or by the other region (whoever can still
// reach it). A region that can reach neither lets its lease run out and stops acknowledging writes
// on its own; the console promotes another region only after the lost region's last possible
// lease has expired: the last grant's issue time + lease length + a clock-skew margin. This is
// pg_auto_failover's rule (the primary demotes itself before the standby is promoted), per region.
//
// Times are wall-clock epoch ms on both sides; the skew margin bounds how far the clocks of the
// grantor and the holder may disagree. A grant issued more than the margin in the future or in the
// past (as the holder reads its clock) is refused: either the clocks disagree by more than the
// margin, or the grant sat in transit so long that the grantor's reckoning no longer bounds it.
// No I/O here: the lab's app (lab/app/app.ts) and the simulation hold a WriteLease each.

export interface LeasePolicy {
  /** How long one grant lets a region acknowledge writes, ms. */
  lengthMs: number;
  /** How far the grantor's and the holder's clocks may disagree (and a grant may take in transit), ms. */
  skewMarginMs: number;
  /** How often the console and the other region renew, ms (a few renewals fit in one lease). */
  renewEveryMs: number;
}

export const DEFAULT_LEASE_POLICY: LeasePolicy = { lengthMs: 4000, skewMarginMs: 500, renewEveryMs: 1000 };

/** Who granted: the console, or the id of the region whose app granted it. */
export type Grantor = "console" | (string & {});

export interface LeaseGrant {
  from: Grantor;
  /** Grantor's clock when it sent the grant, epoch ms. */
  issuedAt: number;
  validMs: number;
}

export type GrantAnswer = { ok: true; until: number } | { ok: false; reason: string };

/** The latest moment a region can still hold a lease granted at `lastIssuedAt`, on the grantor's clock. */
export function leaseDeadline(lastIssuedAt: number, policy: LeasePolicy): number {
  return lastIssuedAt + policy.lengthMs + policy.skewMarginMs;
}

export function checkPolicy(p: LeasePolicy): string | null {
  if (!(p.lengthMs > 0 && p.skewMarginMs >= 0 && p.renewEveryMs > 0)) return "lease length, skew margin and renewal interval must be positive";
  if (p.renewEveryMs * 2 > p.lengthMs) return `lease length ${p.lengthMs} ms must fit at least two renewals (every ${p.renewEveryMs} ms)`;
  return null;
}

export interface LeaseView {
  /** Writes may be acknowledged now. */
  holds: boolean;
  /** Epoch ms the lease runs out (0: never granted or revoked). */
  until: number;
  /** Set by the console: no grant restores writes until it lifts it. */
  fenced: { reason: string; since: number } | null;
  lastGrant: { from: Grantor; issuedAt: number; receivedAt: number } | null;
  policy: LeasePolicy;
}

export class WriteLease {
  private until = 0;
  private last: LeaseView["lastGrant"] = null;
  private fence: LeaseView["fenced"];

  constructor(
    readonly policy: LeasePolicy,
    fenced: LeaseView["fenced"] = null,
    private readonly now: () => number = Date.now,
  ) {
    this.fence = fenced;
  }

  /** A renewal. Never shortens the lease; refused when the grant is outside the skew margin or the region is fenced. */
  accept(grant: LeaseGrant): GrantAnswer {
    const now = this.now();
    if (!Number.isFinite(grant.issuedAt) || !Number.isFinite(grant.validMs) || grant.validMs <= 0)
      return { ok: false, reason: "a grant needs issuedAt and a positive validMs" };
    if (grant.validMs > this.policy.lengthMs)
      return { ok: false, reason: `grant of ${grant.validMs} ms is longer than the lease length ${this.policy.lengthMs} ms` };
    const drift = now - grant.issuedAt;
    if (Math.abs(drift) > this.policy.skewMarginMs)
      return {
        ok: false,
        reason: `grant from ${grant.from} issued ${drift} ms ${drift >= 0 ? "ago" : "ahead"}: beyond the ${this.policy.skewMarginMs} ms skew margin (clocks disagree or it sat in transit)`,
      };
    if (this.fence) return { ok: false, reason: `region fenced by the console since ${new Date(this.fence.since).toISOString()}: ${this.fence.reason}` };
    // Counted from the grantor's issue time, never from arrival: the grantor's deadline bounds it.
    this.until = Math.max(this.until, grant.issuedAt + grant.validMs);
    this.last = { from: grant.from, issuedAt: grant.issuedAt, receivedAt: now };
    return { ok: true, until: this.until };
  }

  holds(at = this.now()): boolean {
    return this.fence === null && at < this.until;
  }

  /** The console's fence: writes stop at once and no grant restores them until `unfence`. */
  setFence(reason: string): void {
    this.fence = { reason, since: this.now() };
    this.until = 0;
  }

  unfence(): void {
    this.fence = null;
  }

  get fenced(): LeaseView["fenced"] {
    return this.fence;
  }

  view(): LeaseView {
    return { holds: this.holds(), until: this.until, fenced: this.fence, lastGrant: this.last, policy: this.policy };
  }

  /** Why writes are refused now, for the client; null while the lease holds. */
  refusal(regionId: string): string | null {
    if (this.fence) return `region ${regionId} is fenced by the console (${this.fence.reason}): writes refused, reads go on`;
    if (this.holds()) return null;
    if (this.until === 0) return `region ${regionId} holds no write lease yet (neither the console nor the other region has granted one): writes refused`;
    return `region ${regionId}'s write lease ran out ${((this.now() - this.until) / 1000).toFixed(1)} s ago (it can reach neither the console nor the other region): writes refused so that another region can take over safely`;
  }
}
