import "server-only";
// Per-heartbeat replication lag in the lab (M1, M2): one reader per replication link polls the
// receiving server's heartbeat log every `lagPollMs` on a connection of its own and feeds an
// ApplyLagTracker; one reader per region polls its copies of the other regions' S3 canaries every
// `canaryPollMs`. The component probes (once a second) read the current lag and the worst since
// their previous sample from here, so a stall that ends between two samples is not lost.
import { MariadbNode } from "@/lib/connectors/mariadb/adapter";
import { PostgresNode } from "@/lib/connectors/postgres/adapter";
import type { ObjectStoreClient } from "@/lib/connectors/s3/client";
import { canaryLagMs, parseCanary } from "@/lib/connectors/s3/parse";
import { ApplyLagTracker, type ApplyPoll, type LagReading } from "@/lib/telemetry/apply-lag";
import type { LabConfig } from "./config";
import type { PgRoles } from "./pg-roles";

export type LagLinkKind = "mariadb" | "postgres" | "s3";

export interface LagLink {
  kind: LagLinkKind;
  /** the receiving region */
  regionId: string;
  /** the source region (MariaDB, S3) or primary node (PostgreSQL) */
  from: string;
}

interface Reader {
  link: LagLink;
  read(since: number): LagReading;
  /** last error text while the receiver cannot be read (null when reading) */
  error: string | null;
  /** false while this link does not exist (a PostgreSQL server that is the primary now) */
  active(): boolean;
  loop(): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bounded record of polled values (S3 canary lag), for the worst since a time. */
class PolledMax {
  private values: { at: number; v: number }[] = [];
  current: number | null = null;
  observedAt: number | null = null;
  add(at: number, v: number | null): void {
    this.current = v;
    this.observedAt = at;
    if (v === null) return;
    this.values.push({ at, v });
    const cut = at - 120_000;
    while (this.values.length && this.values[0].at < cut) this.values.shift();
  }
  read(since: number): LagReading {
    const inside = this.values.filter((x) => x.at > since);
    const peak = inside.length ? Math.max(...inside.map((x) => x.v)) : this.current;
    return { currentMs: this.current, peakMs: peak, beats: inside.length, observedAt: this.observedAt };
  }
}

export class LabLagWatch {
  private readonly readers: Reader[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly cfg: LabConfig,
    s3Of: Map<string, ObjectStoreClient>,
    pgRoles: PgRoles,
  ) {
    const t = cfg.probeTimeoutMs;
    for (const l of cfg.crossRegion.links) {
      const to = cfg.regions.find((r) => r.id === l.to);
      const node = to?.mariadb.nodes.find((n) => n.name === l.toNode);
      if (!to || !node) continue;
      const db = new MariadbNode(
        { name: node.name, host: to.net.address, port: node.port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword },
        t,
      );
      this.readers.push(
        this.beatReader(
          { kind: "mariadb", regionId: l.to, from: l.from },
          (after) => db.heartbeatsAfter(`${cfg.mariadb.database}.heartbeat_log`, l.from, after),
          () => db.close(),
        ),
      );
    }
    // PostgreSQL: a reader on every region's server, reading only while it is expected to be a
    // replica (a failover moves the primary; its heartbeat log then holds no one else's beats).
    for (const r of cfg.regions) {
      const db = new PostgresNode(
        {
          name: r.postgres.name,
          host: r.net.address,
          port: r.postgres.port,
          user: cfg.postgres.user,
          password: cfg.postgres.password,
          database: cfg.postgres.database,
        },
        t,
      );
      this.readers.push(
        this.beatReader(
          { kind: "postgres", regionId: r.id, from: "primary" },
          (after) => db.heartbeatsAfter(after),
          () => db.close(),
          () => pgRoles.roleOf(r.id) === "replica",
        ),
      );
    }
    for (const r of cfg.regions) {
      const local = s3Of.get(r.id);
      if (!local) continue;
      for (const peer of cfg.regions.filter((x) => x.id !== r.id)) {
        const source = s3Of.get(peer.id);
        if (source) this.readers.push(this.canaryReader({ kind: "s3", regionId: r.id, from: peer.id }, local, source));
      }
    }
  }

  /** MariaDB / PostgreSQL: the heartbeat log on the receiving server, every lagPollMs. */
  private beatReader(link: LagLink, poll: (after: number | null) => Promise<ApplyPoll>, close: () => Promise<void>, active = () => true): Reader {
    let tracker = new ApplyLagTracker({ beatIntervalMs: this.cfg.heartbeatIntervalMs, maxPollGapMs: Math.max(250, 5 * this.cfg.lagPollMs) });
    const reader: Reader = {
      link,
      error: null,
      active,
      read: (since) => tracker.read(since, Infinity),
      loop: async () => {
        while (this.running) {
          const started = Date.now();
          if (!active()) {
            // not a replica now: when it becomes one, its lag starts afresh from its new primary
            tracker = new ApplyLagTracker({ beatIntervalMs: this.cfg.heartbeatIntervalMs, maxPollGapMs: Math.max(250, 5 * this.cfg.lagPollMs) });
            reader.error = null;
            await sleep(250);
            continue;
          }
          try {
            tracker.observe(await poll(tracker.after));
            reader.error = null;
          } catch (e) {
            tracker.lost();
            reader.error = (e as Error).message;
            await sleep(500);
          }
          await sleep(Math.max(1, this.cfg.lagPollMs - (Date.now() - started)));
        }
      },
      close,
    };
    return reader;
  }

  /** S3: the receiving region's copy of the source's canary, against the source's own, every canaryPollMs. */
  private canaryReader(link: LagLink, local: ObjectStoreClient, source: ObjectStoreClient): Reader {
    const key = `lab-canary/${link.from}`;
    const max = new PolledMax();
    const reader: Reader = {
      link,
      error: null,
      active: () => true,
      read: (since) => max.read(since),
      loop: async () => {
        while (this.running) {
          const started = Date.now();
          try {
            const [copy, orig] = await Promise.all([
              local.getText(this.cfg.s3.canaryBucket, key),
              source.getText(this.cfg.s3.canaryBucket, key).catch(() => null),
            ]);
            max.add(Date.now(), canaryLagMs(orig ? parseCanary(orig) : null, copy ? parseCanary(copy) : null, Date.now(), this.cfg.canaryIntervalMs));
            reader.error = null;
          } catch (e) {
            max.add(Date.now(), null);
            reader.error = (e as Error).message;
          }
          await sleep(Math.max(1, this.cfg.canaryPollMs - (Date.now() - started)));
        }
      },
      close: async () => {},
    };
    return reader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = this.readers.map((r) => r.loop());
  }

  get started(): boolean {
    return this.running;
  }

  /**
   * The lag into `regionId` over its links of one kind: the current value and the worst since
   * `since` (the receiver's clock), the worst link counting. null when no link is read.
   */
  read(kind: LagLinkKind, regionId: string, since: number): (LagReading & { error: string | null }) | null {
    const mine = this.readers.filter((r) => r.link.kind === kind && r.link.regionId === regionId && r.active());
    if (mine.length === 0) return null;
    const readings = mine.map((r) => ({ ...r.read(since), error: r.error }));
    const max = (xs: (number | null)[]) => (xs.some((x) => x !== null) ? Math.max(...xs.filter((x): x is number => x !== null)) : null);
    return {
      currentMs: max(readings.map((x) => x.currentMs)),
      peakMs: max(readings.map((x) => x.peakMs)),
      beats: readings.reduce((a, x) => a + x.beats, 0),
      observedAt: max(readings.map((x) => x.observedAt)),
      error: readings.find((x) => x.error)?.error ?? null,
    };
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.readers.map((r) => r.close()));
  }
}
