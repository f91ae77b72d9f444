import "server-only";
// Which region's PostgreSQL the console expects to be the corpus primary. The lab config names the
// primary the lab was created with; a failover promotes the survivor's replica and a return rewinds
// the old primary into a replica of it, so from then on the config is history. The console's
// expectation follows its own actions (promote, rejoin) and, when it starts, what the servers say
// (exactly one not in recovery). Health compares each server with this expectation: a replica that
// promoted itself, or two primaries, is reported, not adopted.
import type { LabConfig } from "./config";

export type PgRole = "primary" | "replica";

export class PgRoles {
  private primaryRegion: string | null;

  constructor(private readonly cfg: LabConfig) {
    this.primaryRegion = cfg.regions.find((r) => r.postgres.role === "primary")?.id ?? null;
  }

  /** The region whose PostgreSQL is expected to be the primary (null: none known). */
  get primary(): string | null {
    return this.primaryRegion;
  }

  roleOf(regionId: string): PgRole {
    return regionId === this.primaryRegion ? "primary" : "replica";
  }

  /** The regions expected to stream from the primary. */
  replicas(): { regionId: string; name: string; regionName: string }[] {
    return this.cfg.regions.filter((r) => r.id !== this.primaryRegion).map((r) => ({ regionId: r.id, name: r.postgres.name, regionName: r.name }));
  }

  /** The console made `regionId`'s PostgreSQL the primary (promotion) or had another follow it (rejoin). */
  setPrimary(regionId: string): void {
    this.primaryRegion = regionId;
  }

  /**
   * At start: what the servers say. `inRecovery` per region (null: unreachable). Adopted only when
   * exactly one answering server is a primary; otherwise the expectation stays (and health says why).
   * Returns a line for the log when it differs from the config.
   */
  adopt(inRecovery: Map<string, boolean | null>): string | null {
    const primaries = [...inRecovery].filter(([, rec]) => rec === false).map(([id]) => id);
    if (primaries.length !== 1 || primaries[0] === this.primaryRegion) return null;
    const was = this.primaryRegion;
    this.primaryRegion = primaries[0];
    return `PostgreSQL: ${primaries[0]}'s server is the primary (the lab config names ${was ?? "none"}; a failover moved it)`;
  }
}
