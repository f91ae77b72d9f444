import { describe, expect, it } from "vitest";
import { fixture } from "../fixture";
import { backlogInto, canaryLagMs, parseCanary, parseReplicationMetrics } from "./parse";

describe("canary", () => {
  it("parses the lab's canary object", () => {
    expect(parseCanary(fixture("s3", "canary.json"))).toMatchObject({ region: "kl_dc_1", ts: 1795342822122 });
    expect(() => parseCanary("not json")).toThrow();
    expect(() => parseCanary("{}")).toThrow();
  });
  it("measures lag from the first canary the target is missing", () => {
    const c = (ts: number) => ({ region: "a", ts, seq: 0 });
    expect(canaryLagMs(c(5000), c(5000), 5300, 1000)).toBe(0);
    // target has 3000; 4000 and 5000 exist at the source: stale since 4000
    expect(canaryLagMs(c(5000), c(3000), 5300, 1000)).toBe(1300);
    // source just wrote 5000, target has 4000: stale since 5000
    expect(canaryLagMs(c(5000), c(4000), 5050, 1000)).toBe(50);
    // source unreadable: bound from the copy alone
    expect(canaryLagMs(null, c(3000), 6000, 1000)).toBe(2000);
    expect(canaryLagMs(c(1), null, 2, 1000)).toBeNull();
  });
});

describe("replication metrics", () => {
  it("parses MinIO-style pending counts per direction", () => {
    const rows = parseReplicationMetrics(fixture("s3", "replicator-metrics.txt"));
    expect(rows.map((r) => `${r.bucket}:${r.source}->${r.target}`).sort()).toEqual([
      "audio:cyberjaya_1->kl_dc_1",
      "audio:kl_dc_1->cyberjaya_1",
      "dicom:cyberjaya_1->kl_dc_1",
      "dicom:kl_dc_1->cyberjaya_1",
    ]);
    expect(backlogInto(rows, "cyberjaya_1")).toBe(0);
  });
  it("sums backlog into a target", () => {
    const rows = parseReplicationMetrics(
      [
        'minio_bucket_replication_pending_count{bucket="a",source="x",target="y"} 3',
        'minio_bucket_replication_pending_count{bucket="b",source="x",target="y"} 4',
        'minio_bucket_replication_pending_count{bucket="b",source="y",target="x"} 9',
      ].join("\n"),
    );
    expect(backlogInto(rows, "y")).toBe(7);
  });
});
