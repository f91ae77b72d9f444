import "server-only";
// F1/F2 in the lab: each region's app holds a write lease (lab/app/app.ts), the other region's
// MariaDB says whether it still hears a region, HAProxy's checks say whether its app answers. Each
// side is asked directly: the peer's view is read from the peer, never through the region itself.
import { ConnectorError } from "@/lib/connectors/errors";
import type { HaproxyRouter } from "@/lib/connectors/haproxy/adapter";
import { MariadbNode, regionGtidPosition } from "@/lib/connectors/mariadb/adapter";
import { gtidForDomain, parseGtidPos, withDomain } from "@/lib/connectors/mariadb/parse";
import { rejoinAsReplica } from "@/lib/connectors/postgres/rewind";
import { PostgresNode } from "@/lib/connectors/postgres/adapter";
import type { LeasePolicy, LeaseView } from "@/lib/failover/lease";
import path from "node:path";
import { FederationError, type ErrantReport, type FailoverPrimitives, type RegionSignals, type ReplicationProgress } from "../types";
import { labPath, peerOf, regionOrThrow, type LabConfig, type LabRegion } from "./config";
import { answerError, requestJson } from "./http";
import type { PgRoles } from "./pg-roles";

/** The region's heartbeat writer commits every 25 ms: an IO position still for this long receives nothing. */
const IO_SILENT_MS = 1000;

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LabFailover implements FailoverPrimitives {
  /** Nodes of the failover path only: a signal read never waits behind a probe's query. */
  private readonly mariadb = new Map<string, MariadbNode>();
  private readonly postgres = new Map<string, PostgresNode>();
  /** Replication connections held by a failover (connection → why), for health to say so. */
  readonly held = new Map<string, string>();
  /** Per replication connection: its IO position as last read, and since when it has not moved. */
  private readonly ioSeen = new Map<string, { pos: string; at: number }>();

  constructor(
    private readonly cfg: LabConfig,
    private readonly router: HaproxyRouter,
    private readonly pgRoles: PgRoles,
  ) {
    for (const r of cfg.regions) {
      for (const n of r.mariadb.nodes)
        this.mariadb.set(
          n.name,
          new MariadbNode(
            { name: n.name, host: r.net.address, port: n.port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword },
            cfg.probeTimeoutMs,
          ),
        );
      this.postgres.set(
        r.id,
        new PostgresNode(
          {
            name: r.postgres.name,
            host: r.net.address,
            port: r.postgres.port,
            user: cfg.postgres.user,
            password: cfg.postgres.password,
            database: cfg.postgres.database,
          },
          cfg.probeTimeoutMs,
        ),
      );
    }
  }

  private region(regionId: string): LabRegion {
    try {
      return regionOrThrow(this.cfg, regionId);
    } catch {
      throw new FederationError(`unknown region "${regionId}" (lab regions: ${this.cfg.regions.map((r) => r.id).join(", ")})`, "unknown_region", false);
    }
  }

  private appUrl(region: LabRegion, pathname: string): string {
    return `http://${region.net.address}:${region.appPort}${pathname}`;
  }

  leasePolicy(): LeasePolicy {
    return this.cfg.leases;
  }

  async grantLease(regionId: string, issuedAt: number): Promise<void> {
    const region = this.region(regionId);
    const what = `grant ${regionId} a write lease`;
    const a = await requestJson(this.appUrl(region, "/admin/lease"), {
      method: "POST",
      body: { issuedAt, validMs: this.cfg.leases.lengthMs },
      timeoutMs: this.cfg.leases.renewEveryMs,
      what,
    });
    if (a.status !== 200) throw new FederationError(`${what}: ${answerError(a)}`, a.status === 409 ? "refused" : "protocol", a.status >= 500);
  }

  async regionSignals(regionId: string): Promise<RegionSignals> {
    const region = this.region(regionId);
    const peer = peerOf(this.cfg, regionId);
    const [consoleSide, peerSide, routerSide] = await Promise.all([this.consoleView(region), this.peerView(region, peer), this.routerView(region)]);
    return { regionId, console: consoleSide.signal, peer: peerSide, router: routerSide, lease: consoleSide.lease };
  }

  private async consoleView(region: LabRegion): Promise<{ signal: RegionSignals["console"]; lease: LeaseView | null }> {
    const sent = Date.now();
    try {
      // short: the app answers this from memory, and the watch reads four times a second
      const a = await requestJson(this.appUrl(region, "/admin/lease"), {
        timeoutMs: Math.min(this.cfg.probeTimeoutMs, 500),
        what: `read ${region.id}'s lease`,
      });
      if (a.status !== 200) return { signal: { reachable: true, detail: `app answered ${answerError(a)}`, at: Date.now() }, lease: null };
      const lease = a.json.lease as LeaseView;
      return { signal: { reachable: true, detail: `app answers over its uplink; lease ${lease.holds ? "held" : "not held"}`, at: Date.now() }, lease };
    } catch (e) {
      // an unanswered probe says the region was unreachable when it was sent
      return { signal: { reachable: false, detail: `app unreachable from the console: ${messageOf(e)}`, at: sent }, lease: null };
    }
  }

  private async peerView(region: LabRegion, peer: LabRegion): Promise<RegionSignals["peer"]> {
    const link = this.cfg.crossRegion.links.find((l) => l.from === region.id && l.to === peer.id);
    const base = { regionId: peer.id, at: Date.now() };
    if (!link) return { ...base, reachable: false, ioRunning: null, heartbeatAgeMs: null, detail: `no replication link from ${region.id} into ${peer.id}` };
    const node = this.mariadb.get(link.toNode)!;
    try {
      const [replicas, beats] = await Promise.all([node.replicas(), node.heartbeats(`${this.cfg.mariadb.database}.heartbeat`)]);
      const r = replicas.find((x) => x.connectionName === link.connection);
      const beat = beats.find((b) => b.region === region.id);
      // An IO thread that says "Yes" on a silent link (a blackhole) only notices after its net
      // timeout and a failed reconnect. The region writes a heartbeat every few tens of ms, so an
      // IO position that has not moved for IO_SILENT_MS means it receives nothing: not running.
      const now = Date.now();
      const seen = this.ioSeen.get(link.connection);
      if (r && (!seen || seen.pos !== r.gtidIoPos)) this.ioSeen.set(link.connection, { pos: r.gtidIoPos, at: now });
      const silentMs = r && seen && seen.pos === r.gtidIoPos ? now - seen.at : 0;
      const ioRunning = r ? r.ioRunning === "Yes" && silentMs < IO_SILENT_MS : false;
      const heartbeatAgeMs = beat ? Math.max(0, Math.round(beat.lagMs)) : null;
      const io = r
        ? `replication ${link.connection} IO thread ${r.ioRunning}${r.ioRunning === "Yes" && silentMs >= IO_SILENT_MS ? ` but nothing received for ${(silentMs / 1000).toFixed(1)} s` : ""}${r.lastIoError ? ` (${r.lastIoError})` : ""}`
        : `replication ${link.connection} absent`;
      return {
        ...base,
        at: Date.now(),
        reachable: true,
        ioRunning,
        heartbeatAgeMs,
        detail: `${peer.name} (${link.toNode}): ${io}; newest heartbeat from ${region.name} ${heartbeatAgeMs === null ? "never seen" : `${heartbeatAgeMs} ms old`}`,
      };
    } catch (e) {
      return {
        ...base,
        at: Date.now(),
        reachable: false,
        ioRunning: null,
        heartbeatAgeMs: null,
        detail: `${peer.name} unreachable from the console: ${messageOf(e)}`,
      };
    }
  }

  private async routerView(region: LabRegion): Promise<RegionSignals["router"]> {
    try {
      const rows = await this.router.stats();
      const row = rows.find((r) => r.proxy === region.backend && r.server === region.appServer);
      if (!row) return { up: null, detail: `HAProxy has no server ${region.appServer} in ${region.backend}`, at: Date.now() };
      const up = /^UP/.test(row.status);
      return { up, detail: `HAProxy check of ${region.appServer}: ${row.status}${row.checkStatus ? ` (${row.checkStatus})` : ""}`, at: Date.now() };
    } catch (e) {
      return { up: null, detail: `HAProxy runtime API unreadable: ${messageOf(e)}`, at: Date.now() };
    }
  }

  async setPeerGrants(regionId: string, enabled: boolean, reason: string): Promise<{ lastIssuedAt: number }> {
    const region = this.region(regionId);
    const what = `${enabled ? "resume" : "stop"} ${regionId}'s lease grants to its peer`;
    const a = await requestJson(this.appUrl(region, "/admin/peer-grants"), { method: "POST", body: { enabled, reason }, timeoutMs: 2000, what });
    if (a.status !== 200) throw new FederationError(`${what}: ${answerError(a)}`, "protocol", a.status >= 500);
    const pg = a.json.peerGrants as { lastIssuedAt: number };
    return { lastIssuedAt: Number(pg.lastIssuedAt) || 0 };
  }

  async fenceRegion(regionId: string, fenced: boolean, reason: string): Promise<string> {
    const region = this.region(regionId);
    const what = `${fenced ? "fence" : "unfence"} region ${regionId}`;
    // Short: a region that does not answer at once is fenced by its own lease running out; the
    // failover must not wait on it (the app drains its writes in flight within this too).
    const a = await requestJson(this.appUrl(region, "/admin/region-fence"), {
      method: "POST",
      body: { fenced, reason },
      timeoutMs: this.cfg.probeTimeoutMs + 700,
      what,
    });
    if (a.status !== 200) throw new FederationError(`${what}: ${answerError(a)}`, "protocol", a.status >= 500);
    // Belt and braces: the region's databases refuse the app's writes too (read_only binds every
    // user without READ_ONLY ADMIN); a node that does not answer is named, the app fence holds.
    const notes: string[] = [];
    for (const n of region.mariadb.nodes) {
      try {
        await this.mariadb.get(n.name)!.setReadOnly(fenced);
        notes.push(`${n.name} read_only=${fenced ? 1 : 0}`);
      } catch (e) {
        notes.push(`${n.name} not reached (${messageOf(e)})`);
      }
    }
    return `${region.name}'s app ${fenced ? "refuses" : "accepts"} writes; ${notes.join(", ")}`;
  }

  async holdReplication(fromRegionId: string, toRegionId: string, hold: boolean): Promise<string> {
    this.region(fromRegionId);
    this.region(toRegionId);
    const link = this.cfg.crossRegion.links.find((l) => l.from === fromRegionId && l.to === toRegionId);
    if (!link) throw new FederationError(`no replication link from ${fromRegionId} into ${toRegionId}`, "refused", false);
    const node = this.mariadb.get(link.toNode)!;
    try {
      if (!hold) {
        await node.startReplica(link.connection);
        this.held.delete(link.connection);
        return `replication ${link.connection} on ${link.toNode} started`;
      }
      const h = await node.holdReplica(link.connection, this.region(fromRegionId).mariadb.gtidDomainId, 5000);
      this.held.set(
        link.connection,
        `${this.region(fromRegionId).name} was failed over; nothing from it is applied here until it is brought back and its unreplicated writes are decided`,
      );
      const got = h.received
        ? h.applied
          ? `everything received from ${fromRegionId} applied first (up to ${h.received})`
          : `NOT everything received from ${fromRegionId} could be applied within 5 s (received up to ${h.received}): the rest waits for the return`
        : `nothing received from ${fromRegionId}`;
      return `replication ${link.connection} on ${link.toNode} stopped in ${h.waitedMs} ms, ${got}; nothing more from ${fromRegionId} is applied until a person decides`;
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  async postgresPrimary(excludeRegionId?: string): Promise<string | null> {
    const answers = await Promise.all(
      this.cfg.regions
        .filter((r) => r.id !== excludeRegionId)
        .map(async (r) => {
          try {
            return (await this.postgres.get(r.id)!.status()).inRecovery ? null : r.id;
          } catch {
            return null;
          }
        }),
    );
    return answers.find((x) => x !== null) ?? null;
  }

  async promotePostgres(regionId: string): Promise<string> {
    const region = this.region(regionId);
    const node = this.postgres.get(regionId)!;
    try {
      const st = await node.status();
      if (!st.inRecovery) {
        this.pgRoles.setPrimary(regionId);
        return `${region.postgres.name} is already the primary`;
      }
      const p = await node.promote(10);
      if (!p.promoted) throw new FederationError(`${region.postgres.name} was not promoted within 10 s`, "timeout", true);
      this.pgRoles.setPrimary(regionId);
      return `${region.postgres.name} promoted to primary in ${p.tookMs} ms (replayed up to ${st.replayLsn ?? "?"})`;
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  // ---- bringing a region back (§5, §6) --------------------------------------------------------

  private link(from: string, to: string) {
    const link = this.cfg.crossRegion.links.find((l) => l.from === from && l.to === to);
    if (!link) throw new FederationError(`no replication link from ${from} into ${to}`, "refused", false);
    return link;
  }

  private async ownPosition(region: LabRegion): Promise<string> {
    const nodes = region.mariadb.nodes.map((n) => this.mariadb.get(n.name)!);
    const { gtid } = await regionGtidPosition(nodes, region.mariadb.gtidDomainId, region.mariadb.kind === "galera", `${this.cfg.mariadb.database}.heartbeat`);
    return gtid;
  }

  private async appliedOf(node: MariadbNode, domain: number): Promise<{ all: string; gtid: string }> {
    const role = await node.role();
    return { all: role.gtidSlavePos, gtid: gtidForDomain(role.gtidSlavePos, domain) };
  }

  private static seq(gtid: string): number {
    return gtid ? Number(gtid.split("-")[2]) : 0;
  }

  async replicationProgress(fromRegionId: string, toRegionId: string): Promise<ReplicationProgress> {
    const from = this.region(fromRegionId);
    const link = this.link(fromRegionId, toRegionId);
    try {
      const [sourcePosition, applied] = await Promise.all([this.ownPosition(from), this.appliedOf(this.mariadb.get(link.toNode)!, from.mariadb.gtidDomainId)]);
      const sourceSeq = LabFailover.seq(sourcePosition);
      const appliedSeq = LabFailover.seq(applied.gtid);
      return { sourcePosition, applied: applied.gtid, sourceSeq, appliedSeq, backlog: Math.max(0, sourceSeq - appliedSeq), at: Date.now() };
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  async errantTransactions(lostRegionId: string, survivorId: string, sinceMs: number): Promise<ErrantReport> {
    const lost = this.region(lostRegionId);
    const link = this.link(lostRegionId, survivorId);
    const survivorNode = this.mariadb.get(link.toNode)!;
    try {
      const [lostPosition, applied] = await Promise.all([this.ownPosition(lost), this.appliedOf(survivorNode, lost.mariadb.gtidDomainId)]);
      const transactions = Math.max(0, LabFailover.seq(lostPosition) - LabFailover.seq(applied.gtid));
      const table = `${this.cfg.mariadb.database}.records`;
      const written = await this.mariadb
        .get(lost.mariadb.nodes[0].name)!
        .client.query<{ id: string; tenant: string }>(
          `SELECT id, tenant FROM ${table} WHERE region = ? AND created_at >= FROM_UNIXTIME(?) ORDER BY created_at`,
          [lostRegionId, Math.floor(sinceMs / 1000)],
          5000,
        );
      const present = new Set<string>();
      for (let i = 0; i < written.length; i += 500) {
        const ids = written.slice(i, i + 500).map((r) => r.id);
        const rows = await survivorNode.client.query<{ id: string }>(`SELECT id FROM ${table} WHERE id IN (${ids.map(() => "?").join(",")})`, ids, 5000);
        for (const r of rows) present.add(r.id);
      }
      const byTenant = new Map<string, string[]>();
      for (const r of written) if (!present.has(r.id)) byTenant.set(r.tenant, [...(byTenant.get(r.tenant) ?? []), r.id]);
      return {
        lostPosition,
        survivorApplied: applied.gtid,
        transactions,
        tenants: [...byTenant].map(([tenant, ids]) => ({ tenant, ids })).sort((a, b) => a.tenant.localeCompare(b.tenant)),
      };
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  async resolveErrant(lostRegionId: string, survivorId: string, decision: "reapply" | "discard", report: ErrantReport): Promise<string> {
    const lost = this.region(lostRegionId);
    const link = this.link(lostRegionId, survivorId);
    const survivorNode = this.mariadb.get(link.toNode)!;
    const lostNode = this.mariadb.get(lost.mariadb.nodes[0].name)!;
    const table = `${this.cfg.mariadb.database}.records`;
    const ids = report.tenants.flatMap((t) => t.ids);
    try {
      let did: string;
      if (ids.length === 0) did = "no records to decide on";
      else if (decision === "reapply") {
        // copied as they are, outside the binary log: the returned region has them already
        const rows = await lostNode.client.query<Record<string, unknown>>(
          `SELECT id, tenant, region, node, body, created_at FROM ${table} WHERE id IN (${ids.map(() => "?").join(",")})`,
          ids,
          5000,
        );
        await survivorNode.client.query("SET SESSION sql_log_bin = 0");
        try {
          for (const r of rows)
            await survivorNode.client.query(`INSERT IGNORE INTO ${table} (id, tenant, region, node, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`, [
              r.id,
              r.tenant,
              r.region,
              r.node,
              r.body,
              r.created_at,
            ]);
        } finally {
          await survivorNode.client.query("SET SESSION sql_log_bin = 1");
        }
        did = `${rows.length} record(s) re-applied in ${survivorId}`;
      } else {
        // deleted in the returned region (Galera spreads it to its nodes), not into the binary log
        await lostNode.client.query("SET SESSION sql_log_bin = 0");
        try {
          await lostNode.client.query(`DELETE FROM ${table} WHERE id IN (${ids.map(() => "?").join(",")})`, ids, 5000);
        } finally {
          await lostNode.client.query("SET SESSION sql_log_bin = 1");
        }
        did = `${ids.length} record(s) discarded in ${lostRegionId}`;
      }
      // The survivor skips the returned region's domain up to its position: replication never replays them.
      const before = await survivorNode.role();
      const skipTo = report.lostPosition;
      const current = gtidForDomain(before.gtidSlavePos, lost.mariadb.gtidDomainId);
      if (skipTo && (!current || (parseGtidPos(skipTo).get(lost.mariadb.gtidDomainId) ?? 0) > (parseGtidPos(current).get(lost.mariadb.gtidDomainId) ?? 0))) {
        await survivorNode.client.query("STOP ALL SLAVES", [], 10_000);
        await survivorNode.client.query("SET GLOBAL gtid_slave_pos = ?", [withDomain(before.gtidSlavePos, skipTo)]);
      }
      return `${did}; ${survivorId} skips ${lostRegionId}'s domain up to ${skipTo || "nothing"} (${report.transactions} transaction(s) not replayed)`;
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  async rejoinPostgres(regionId: string, primaryRegionId: string): Promise<string> {
    const target = this.region(regionId);
    const source = this.region(primaryRegionId);
    try {
      const st = await this.postgres
        .get(regionId)!
        .status()
        .catch(() => null);
      this.pgRoles.setPrimary(primaryRegionId);
      if (st?.inRecovery) return `${target.postgres.name} is already a replica`;
      const r = await rejoinAsReplica({
        pgBin: this.cfg.postgres.bin,
        dataDir: path.join(labPath(this.cfg.dataDir), "pg", target.postgres.name),
        osUser: this.cfg.postgres.osUser,
        sourceConninfo: `host=${source.net.interAddress} port=${source.postgres.port} user=${this.cfg.postgres.user} password=${this.cfg.postgres.password} dbname=${this.cfg.postgres.database}`,
        logFile: path.join(labPath(this.cfg.dataDir), "log", `${target.postgres.name}.log`),
        preserveFiles: ["lab-node.conf"],
        netns: target.net.netns,
      });
      return `${target.postgres.name} ${r.rewound ? "rewound onto" : "needed no rewind to follow"} ${source.postgres.name} and started as its replica in ${r.tookMs} ms`;
    } catch (e) {
      if (e instanceof ConnectorError) throw e.toFederationError();
      throw e;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...[...this.mariadb.values()].map((n) => n.close()), ...[...this.postgres.values()].map((n) => n.close())]);
  }
}
