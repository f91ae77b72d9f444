import { describe, expect, it } from "vitest";
import { jsonFixture } from "../fixture";
import { lsnDiff, parseHeartbeat, parseLsn, parseNodeStatus, parseReplicationRows } from "./parse";

describe("node status", () => {
  it("reads a primary", () => {
    const s = parseNodeStatus(jsonFixture("postgres", "status-pg-kl-normal.json")[0]);
    expect(s.inRecovery).toBe(false);
    expect(s.currentLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(s.replayPaused).toBeNull();
  });
  it("reads a streaming replica", () => {
    const s = parseNodeStatus(jsonFixture("postgres", "status-pg-cy-normal.json")[0]);
    expect(s).toMatchObject({ inRecovery: true, walReceiverStatus: "streaming", replayPaused: false, replayBacklogBytes: 0 });
  });
  it("reads a replica with replay paused and a backlog", () => {
    const s = parseNodeStatus(jsonFixture("postgres", "status-pg-cy-stalled.json")[0]);
    expect(s.replayPaused).toBe(true);
    expect(s.replayBacklogBytes).toBe(4424);
    expect(Number(lsnDiff(s.receiveLsn!, s.replayLsn!))).toBe(4424);
  });
});

describe("pg_stat_replication", () => {
  it("parses a streaming async replica", () => {
    const [r] = parseReplicationRows(jsonFixture("postgres", "replication-pg-kl-normal.json"));
    expect(r).toMatchObject({ applicationName: "pg-cy", state: "streaming", syncState: "async", replayLagBytes: 0, replayLagMs: null });
  });
  it("parses lag in bytes and ms while replay is paused", () => {
    const [r] = parseReplicationRows(jsonFixture("postgres", "replication-pg-kl-stalled.json"));
    expect(r.replayLagBytes).toBe(4424);
    expect(r.replayLagMs).toBeCloseTo(2407.395, 3);
  });
  it("is empty on a replica", () => {
    expect(parseReplicationRows(jsonFixture("postgres", "replication-pg-cy-normal.json"))).toEqual([]);
  });
});

describe("heartbeat", () => {
  it("takes the newest heartbeat's age", () => {
    expect(parseHeartbeat(jsonFixture("postgres", "heartbeat-pg-cy-stalled.json"))).toEqual({ node: "pg-kl", seq: 1795342765735, lagMs: 2614.7 });
    expect(parseHeartbeat([])).toBeNull();
  });
});

describe("LSN arithmetic", () => {
  it("parses LSNs beyond 32 bits", () => {
    expect(parseLsn("0/3093190")).toBe(0x3093190n);
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
    expect(lsnDiff("1/0", "0/FFFFFFFF")).toBe(1n);
    expect(() => parseLsn("nope")).toThrow();
  });
});
