// M5: each range reads one source at one bucket size, so every chart holds a steady ~300 points.
export type RangeKey = "15m" | "1h" | "24h" | "7d";
export const RANGE_KEYS: readonly RangeKey[] = ["15m", "1h", "24h", "7d"];

export interface RangeSpec {
  key: RangeKey;
  label: string;
  spanMs: number;
  bucketMs: number;
  source: "raw" | "rollup";
}

export const RANGES: Record<RangeKey, RangeSpec> = {
  "15m": { key: "15m", label: "15 min", spanMs: 15 * 60_000, bucketMs: 3_000, source: "raw" },
  "1h": { key: "1h", label: "1 h", spanMs: 3_600_000, bucketMs: 12_000, source: "raw" },
  "24h": { key: "24h", label: "24 h", spanMs: 86_400_000, bucketMs: 300_000, source: "rollup" },
  "7d": { key: "7d", label: "7 days", spanMs: 7 * 86_400_000, bucketMs: 1_800_000, source: "rollup" },
};

/** Raw samples older than this are deleted; the 1 h range must fit inside it. */
export const RAW_RETENTION_MS = 3 * 3_600_000;
/** One-minute rollups older than this are deleted; the 7 day range must fit inside it. */
export const ROLLUP_RETENTION_MS = 8 * 86_400_000;
