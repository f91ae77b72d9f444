import { describe, expect, it } from "vitest";
import { jsonFixture } from "../fixture";
import type { StatusRow } from "./types";
import {
  crossRegionLagMs,
  gtidCovers,
  gtidForDomain,
  laterGtid,
  parseBinlogPosition,
  parseGtidPos,
  parseGtidWaitResult,
  parseHeartbeatRows,
  parseReplicaStatus,
  parseServerRole,
  parseWsrepStatus,
  replicaProblem,
  withDomain,
} from "./parse";

describe("wsrep status", () => {
  it("reads a synced 3-node cluster", () => {
    const w = parseWsrepStatus(jsonFixture<StatusRow[]>("mariadb", "wsrep-galera-1-normal.json"));
    expect(w).toMatchObject({ enabled: true, clusterSize: 3, clusterStatus: "Primary", localState: "Synced", ready: true, connected: true, recvQueue: 0 });
    expect(w.flowControlPaused).toBeGreaterThanOrEqual(0);
  });
  it("sees the cluster shrink to 2 when a node is killed", () => {
    const w = parseWsrepStatus(jsonFixture<StatusRow[]>("mariadb", "wsrep-galera-1-node-down.json"));
    expect(w.clusterSize).toBe(2);
    expect(w.clusterStatus).toBe("Primary");
  });
  it("knows a plain MariaDB server is not Galera", () => {
    const w = parseWsrepStatus(jsonFixture<StatusRow[]>("mariadb", "wsrep-mariadb-cy-normal.json"));
    expect(w.enabled).toBe(false);
    expect(w.clusterSize).toBe(0);
  });
});

describe("replica status", () => {
  it("parses a running GTID replica", () => {
    const [r] = parseReplicaStatus(jsonFixture("mariadb", "replicas-mariadb-cy-normal.json"));
    expect(r).toMatchObject({
      connectionName: "from_kl_dc_1",
      sourcePort: 17306,
      ioRunning: "Yes",
      sqlRunning: "Yes",
      usingGtid: "Slave_Pos",
      secondsBehindMaster: 0,
    });
    expect(replicaProblem(r)).toBeNull();
  });
  it("reports a stopped SQL thread (Seconds_Behind_Master is NULL then)", () => {
    const [r] = parseReplicaStatus(jsonFixture("mariadb", "replicas-mariadb-cy-stalled.json"));
    expect(r.sqlRunning).toBe("No");
    expect(r.secondsBehindMaster).toBeNull();
    expect(replicaProblem(r)).toBe("replica from_kl_dc_1 SQL thread stopped");
  });
  it("is empty on a server that replicates from nobody", () => {
    expect(parseReplicaStatus(jsonFixture("mariadb", "replicas-galera-2-normal.json"))).toEqual([]);
  });
  it("words a connecting IO thread", () => {
    const r = {
      connectionName: "x",
      sourceHost: "h",
      sourcePort: 1,
      ioRunning: "Connecting",
      sqlRunning: "Yes",
      lastIoError: "error reconnecting",
      lastSqlError: "",
      secondsBehindMaster: null,
      gtidIoPos: "",
      gtidSlavePos: null,
      usingGtid: "Slave_Pos",
      sqlState: "",
    };
    expect(replicaProblem(r)).toBe("replica x cannot reach its source h:1: error reconnecting");
  });
});

describe("heartbeat lag", () => {
  it("takes the other region's heartbeat as the lag into this one", () => {
    const beats = parseHeartbeatRows(jsonFixture("mariadb", "heartbeat-mariadb-cy-normal.json"));
    expect(beats.map((b) => b.region).sort()).toEqual(["cyberjaya_1", "kl_dc_1"]);
    const lag = crossRegionLagMs(beats, "cyberjaya_1")!;
    expect(lag.from).toBe("kl_dc_1");
    expect(lag.lagMs).toBeGreaterThanOrEqual(0);
    expect(lag.lagMs).toBeLessThan(300);
  });
  it("grows while the replica SQL thread is stopped", () => {
    const lag = crossRegionLagMs(parseHeartbeatRows(jsonFixture("mariadb", "heartbeat-mariadb-cy-stalled.json")), "cyberjaya_1")!;
    expect(lag.lagMs).toBeCloseTo(2596.8, 1);
  });
  it("is null without a remote heartbeat and never negative", () => {
    expect(crossRegionLagMs([], "a")).toBeNull();
    expect(crossRegionLagMs([{ region: "b", node: "n", seq: 1, ts: "", lagMs: -0.4 }], "a")!.lagMs).toBe(0);
  });
});

describe("role and GTID", () => {
  it("parses @@read_only and positions", () => {
    const r = parseServerRole(jsonFixture("mariadb", "role-mariadb-cy-normal.json")[0]);
    expect(r.readOnly).toBe(false);
    expect(r.serverId).toBe(2);
    expect(r.wsrepOn).toBe(false);
    expect(parseGtidPos(r.gtidCurrentPos).size).toBeGreaterThan(0);
  });
  it("compares GTID positions per domain", () => {
    expect(parseGtidPos("1-1-103,2-2-81")).toEqual(
      new Map([
        [1, 103],
        [2, 81],
      ]),
    );
    expect(gtidCovers("1-1-103,2-2-81", "1-1-100")).toBe(true);
    expect(gtidCovers("1-1-99,2-2-81", "1-1-100")).toBe(false);
    expect(gtidCovers("1-1-103", "2-2-1")).toBe(false);
    expect(() => parseGtidPos("garbage")).toThrow();
  });
});

describe("GTID positions for a move", () => {
  it("keeps only the source region's own domain of a real @@gtid_binlog_pos", () => {
    const kl = parseBinlogPosition(jsonFixture("mariadb", "binlog-pos-galera-1.json")[0]);
    const cy = parseBinlogPosition(jsonFixture("mariadb", "binlog-pos-mariadb-cy.json")[0]);
    expect(kl.gtidBinlogPos).toMatch(/^1-1-\d+,2-2-\d+$/); // log_slave_updates: the other region's domain is logged too
    expect(kl.serverId).toBe(1);
    expect(cy.serverId).toBe(2);
    expect(gtidForDomain(kl.gtidBinlogPos, 1)).toBe("1-1-11851");
    expect(gtidForDomain(cy.gtidBinlogPos, 2)).toBe("2-2-12076");
    expect(gtidForDomain(cy.gtidBinlogPos, 3)).toBe("");
    expect(gtidForDomain("", 1)).toBe("");
  });
  it("takes the highest sequence number when a domain has several server ids", () => {
    expect(gtidForDomain("1-1-900,1-7-1200,2-2-5", 1)).toBe("1-7-1200");
    expect(gtidForDomain("1-1-18446744073709551615,1-7-12", 1)).toBe("1-1-18446744073709551615"); // 64-bit seq_no
    expect(() => gtidForDomain("1-1-x", 1)).toThrow(/bad GTID/);
  });
  it("compares GTIDs of one domain", () => {
    expect(laterGtid("", "1-1-5")).toBe("1-1-5");
    expect(laterGtid("1-1-9", "")).toBe("1-1-9");
    expect(laterGtid("1-1-9", "1-1-10")).toBe("1-1-10");
    expect(() => laterGtid("1-1-9", "2-2-10")).toThrow(/different domains/);
  });
  it("reads MASTER_GTID_WAIT answers captured from mariadb-cy", () => {
    expect(parseGtidWaitResult(jsonFixture("mariadb", "gtid-wait-applied.json")[0])).toBe("applied");
    expect(parseGtidWaitResult(jsonFixture("mariadb", "gtid-wait-timeout.json")[0])).toBe("timeout");
    expect(parseGtidWaitResult({ result: null })).toBe("error");
    expect(parseGtidWaitResult(undefined)).toBe("error");
  });
  it("refuses an answer without a binlog position", () => {
    expect(() => parseBinlogPosition({})).toThrow(/no @@gtid_binlog_pos/);
  });
});

describe("withDomain", () => {
  it("replaces one domain's entry and keeps the others, in domain order", () => {
    expect(withDomain("1-1-100,2-2-50", "1-1-180")).toBe("1-1-180,2-2-50");
    expect(withDomain("2-2-50", "1-1-7")).toBe("1-1-7,2-2-50");
    expect(withDomain("", "2-2-9")).toBe("2-2-9");
  });
  it("refuses what is not a GTID", () => {
    expect(() => withDomain("1-1-1", "x")).toThrow(/bad GTID/);
    expect(() => withDomain("nope", "1-1-1")).toThrow(/bad GTID/);
  });
});
