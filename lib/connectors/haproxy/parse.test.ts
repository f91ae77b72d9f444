import { describe, expect, it } from "vitest";
import { fixture } from "../fixture";
import {
  duplicateKeys,
  formatMapFile,
  mapToRecord,
  parseGetMap,
  parseMapEntries,
  parseMapFile,
  parseMapList,
  parsePrepareMap,
  parseServersState,
  parseShowStat,
  runtimeError,
} from "./parse";
import { describeCheck, routerComponent } from "./adapter";

const view = {
  backend: "be_kl_dc_1",
  server: "app_kl_dc_1",
  serverRefs: [
    { backend: "be_kl_dc_1", server: "app_kl_dc_1" },
    { backend: "be_cyberjaya_1", server: "app_kl_dc_1" },
  ],
};

describe("show stat", () => {
  it("parses the healthy lab's CSV", () => {
    const rows = parseShowStat(fixture("haproxy", "show-stat.csv"));
    const srv = rows.find((r) => r.proxy === "be_kl_dc_1" && r.server === "app_kl_dc_1")!;
    expect(srv.type).toBe("server");
    expect(srv.status).toBe("UP");
    expect(srv.checkStatus).toBe("L7OK");
    expect(srv.active).toBe(true);
    const backup = rows.find((r) => r.proxy === "be_kl_dc_1" && r.server === "app_cyberjaya_1")!;
    expect(backup.backup).toBe(true);
    const fe = rows.find((r) => r.server === "FRONTEND" && r.proxy === "fe_clinical")!;
    expect(fe.type).toBe("frontend");
    expect(fe.reqTotal).toBe(6);
    expect(rows.filter((r) => r.type === "backend").map((r) => r.proxy)).toEqual(["stats", "be_kl_dc_1", "be_cyberjaya_1"]);
  });
  it("sees a killed app server DOWN with its L4 check result", () => {
    const rows = parseShowStat(fixture("haproxy", "show-stat-app-down.csv"));
    const srv = rows.find((r) => r.proxy === "be_cyberjaya_1" && r.server === "app_cyberjaya_1")!;
    expect(srv.status).toBe("DOWN");
    expect(srv.checkStatus).toBe("L4CON");
    expect(srv.lastCheck).toBe("Connection refused");
  });
  it("rejects text without the CSV header", () => {
    expect(() => parseShowStat("Unknown command\n")).toThrow(/header/);
  });
});

describe("show servers state", () => {
  it("reads op and admin state", () => {
    const s = parseServersState(fixture("haproxy", "show-servers-state.txt"));
    expect(s).toHaveLength(4);
    expect(s.every((x) => x.opState === 2 && !x.maint && !x.drain)).toBe(true);
    expect(s[0]).toMatchObject({ backend: "be_kl_dc_1", server: "app_kl_dc_1", port: 17101 });
  });
  it("decodes forced maint and drain bits", () => {
    const s = parseServersState(fixture("haproxy", "show-servers-state-maint.txt"));
    const maint = s.find((x) => x.backend === "be_kl_dc_1" && x.server === "app_kl_dc_1")!;
    const drain = s.find((x) => x.backend === "be_cyberjaya_1" && x.server === "app_kl_dc_1")!;
    expect(maint).toMatchObject({ maint: true, drain: false, adminState: 1 });
    expect(drain).toMatchObject({ maint: false, drain: true, adminState: 8 });
  });
  it("refuses an unknown format version", () => {
    expect(() => parseServersState("2\n# be_id\n")).toThrow(/version/);
  });
});

describe("maps", () => {
  const mapFile = "/work/main/.lab/haproxy/tenants.map";
  it("lists maps with version counters", () => {
    const [m] = parseMapList(fixture("haproxy", "show-map-list.txt"));
    expect(m).toMatchObject({ id: 2, file: mapFile, currentVersion: 0, nextVersion: 0, entries: 4 });
  });
  it("parses entries and resolves them like HAProxy", () => {
    const e = parseMapEntries(fixture("haproxy", "show-map-entries.txt"));
    expect(e).toHaveLength(4);
    expect(mapToRecord(e)).toEqual({
      "klinik-kl-central": "be_kl_dc_1",
      "hospital-putrajaya": "be_kl_dc_1",
      "klinik-kota-kinabalu": "be_cyberjaya_1",
      "klinik-kuching": "be_cyberjaya_1",
    });
    expect(duplicateKeys(e)).toEqual([]);
  });
  it("keeps the first of duplicated keys and reports them", () => {
    const e = parseMapEntries("0x1 a be_x\n0x2 a be_y\n0x3 b be_y\n");
    expect(mapToRecord(e)).toEqual({ a: "be_x", b: "be_y" });
    expect(duplicateKeys(e)).toEqual(["a"]);
  });
  it("parses a prepared version's entries", () => {
    expect(parseMapEntries(fixture("haproxy", "show-map-version.txt"))).toEqual([
      { ref: expect.stringMatching(/^0x/), key: "klinik-kl-central", value: "be_kl_dc_1" },
    ]);
  });
  it("parses get map found / not found", () => {
    expect(parseGetMap(fixture("haproxy", "get-map-found.txt"))).toEqual({ found: true, key: "klinik-kuching", value: "be_cyberjaya_1" });
    expect(parseGetMap(fixture("haproxy", "get-map-missing.txt"))).toEqual({ found: false, key: null, value: null });
    expect(() => parseGetMap("Unknown map identifier\n")).toThrow();
  });
  it("parses prepare map's version", () => {
    expect(parsePrepareMap(fixture("haproxy", "prepare-map.txt"))).toBe(1);
    expect(() => parsePrepareMap("Unknown map identifier")).toThrow();
  });
  it("recognises error answers and not data", () => {
    expect(runtimeError(fixture("haproxy", "set-map-missing.txt"))).toBe("entry not found.");
    expect(runtimeError(fixture("haproxy", "set-server-unknown.txt"))).toBe("No such backend.");
    expect(runtimeError(fixture("haproxy", "add-map-version.txt"))).toBeNull();
    expect(runtimeError(fixture("haproxy", "commit-map.txt"))).toBeNull();
    expect(runtimeError(fixture("haproxy", "show-stat.csv"))).toBeNull();
  });
  it("round-trips the map file", () => {
    const routes = { b: "be_2", a: "be_1" };
    const text = formatMapFile(routes, "header");
    expect(text).toBe("# header\na be_1\nb be_2\n");
    expect(parseMapFile(text)).toEqual(routes);
  });
});

describe("router health", () => {
  const routes = { t1: "be_kl_dc_1", t2: "be_cyberjaya_1", t3: "be_kl_dc_1" };
  it("is up when the region's server is UP", () => {
    const r = routerComponent(
      "HAProxy",
      view,
      parseShowStat(fixture("haproxy", "show-stat.csv")),
      parseServersState(fixture("haproxy", "show-servers-state.txt")),
      routes,
      1,
    );
    expect(r.health.status).toBe("up");
    expect(r.health.reason).toBeNull();
    expect(r.tenantsServed).toBe(2);
    expect(r.markedDown).toBe(false);
  });
  it("is down with the check reason when the app server is DOWN", () => {
    const v = { backend: "be_cyberjaya_1", server: "app_cyberjaya_1", serverRefs: [] };
    const r = routerComponent(
      "HAProxy",
      v,
      parseShowStat(fixture("haproxy", "show-stat-app-down.csv")),
      parseServersState(fixture("haproxy", "show-servers-state-app-down.txt")),
      routes,
      1,
    );
    expect(r.health.status).toBe("down");
    expect(r.health.reason).toBe("app server app_cyberjaya_1 DOWN in HAProxy (L4CON connection refused: Connection refused)");
  });
  it("is down and marked down when in maintenance", () => {
    const r = routerComponent(
      "HAProxy",
      { ...view, serverRefs: [view.serverRefs[0]] },
      parseShowStat(fixture("haproxy", "show-stat-maint.csv")),
      parseServersState(fixture("haproxy", "show-servers-state-maint.txt")),
      routes,
      1,
    );
    expect(r.health.status).toBe("down");
    expect(r.health.reason).toMatch(/maintenance/);
    expect(r.markedDown).toBe(true);
  });
  it("describes check codes", () => {
    expect(describeCheck("L7TOUT")).toBe("L7TOUT L7 timeout");
    expect(describeCheck("*L4CON")).toBe("L4CON connection refused");
  });
});
