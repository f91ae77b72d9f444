import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import type { Point } from "./series";
import type { HistoryPoint, HistoryResult } from "./types";
import { RANGES, RAW_RETENTION_MS, ROLLUP_RETENTION_MS, type RangeKey } from "./ranges";

// M5 storage: raw samples (1 Hz, a few hours) and one-minute rollups (days). Writes are batched
// per tick; rollups are recomputed for the last few minutes each run, so late samples count.

export type { HistoryPoint, HistoryResult } from "./types";

const MINUTE = 60_000;

export class HistoryStore {
  private buffer: Point[] = [];

  constructor(private readonly db: PrismaClient) {}

  append(points: Point[]): void {
    for (const p of points) if (Number.isFinite(p.t)) this.buffer.push(p);
  }

  /** Writes buffered samples in one statement. Returns how many were written. */
  async flush(): Promise<number> {
    if (this.buffer.length === 0) return 0;
    const batch = this.buffer;
    this.buffer = [];
    const res = await this.db.sample.createMany({
      data: batch.map((p) => ({ series: p.series, t: new Date(p.t), v: p.v })),
      skipDuplicates: true,
    });
    return res.count;
  }

  /** Rolls raw samples of complete minutes in [now − lookback, now) into sample_rollups. */
  async rollup(now = Date.now(), lookbackMs = 5 * MINUTE): Promise<number> {
    const to = new Date(Math.floor(now / MINUTE) * MINUTE);
    const from = new Date(to.getTime() - lookbackMs);
    return this.db.$executeRawUnsafe(
      `INSERT INTO "sample_rollups" ("series", "bucket", "count", "min", "max", "avg", "p95")
       SELECT "series", date_trunc('minute', "t"), count(*)::int, min("v"), max("v"), avg("v"),
              percentile_cont(0.95) WITHIN GROUP (ORDER BY "v")
         FROM "samples" WHERE "t" >= $1 AND "t" < $2
        GROUP BY 1, 2
       ON CONFLICT ("series", "bucket") DO UPDATE SET
         "count" = EXCLUDED."count", "min" = EXCLUDED."min", "max" = EXCLUDED."max",
         "avg" = EXCLUDED."avg", "p95" = EXCLUDED."p95"`,
      from,
      to,
    );
  }

  /** Deletes what has expired. */
  async prune(now = Date.now()): Promise<{ raw: number; rollups: number }> {
    const raw = await this.db.sample.deleteMany({ where: { t: { lt: new Date(now - RAW_RETENTION_MS) } } });
    const rollups = await this.db.sampleRollup.deleteMany({ where: { bucket: { lt: new Date(now - ROLLUP_RETENTION_MS) } } });
    return { raw: raw.count, rollups: rollups.count };
  }

  async query(series: string[], range: RangeKey, now = Date.now()): Promise<HistoryResult> {
    const spec = RANGES[range];
    const from = new Date(now - spec.spanMs);
    const to = new Date(now);
    const rows =
      spec.source === "raw"
        ? await this.db.$queryRawUnsafe<RawRow[]>(
            `SELECT "series", (floor(extract(epoch FROM "t") * 1000 / $4) * $4)::float8 AS b,
                    avg("v")::float8 AS avg, min("v")::float8 AS min, max("v")::float8 AS max,
                    percentile_cont(0.95) WITHIN GROUP (ORDER BY "v")::float8 AS p95, count("v")::int AS n
               FROM "samples" WHERE "series" = ANY($1::text[]) AND "t" >= $2 AND "t" <= $3
              GROUP BY 1, 2 ORDER BY 1, 2`,
            series,
            from,
            to,
            spec.bucketMs,
          )
        : await this.db.$queryRawUnsafe<RawRow[]>(
            `SELECT "series", (floor(extract(epoch FROM "bucket") * 1000 / $4) * $4)::float8 AS b,
                    (sum("avg" * "count") / nullif(sum("count"), 0))::float8 AS avg,
                    min("min")::float8 AS min, max("max")::float8 AS max, max("p95")::float8 AS p95, sum("count")::int AS n
               FROM "sample_rollups" WHERE "series" = ANY($1::text[]) AND "bucket" >= $2 AND "bucket" <= $3
              GROUP BY 1, 2 ORDER BY 1, 2`,
            series,
            from,
            to,
            spec.bucketMs,
          );
    const out: HistoryResult = Object.fromEntries(series.map((s) => [s, [] as HistoryPoint[]]));
    for (const r of rows) out[r.series]?.push({ t: r.b, avg: r.avg, min: r.min, max: r.max, p95: r.p95, n: r.n });
    return out;
  }

  /** p50/p95 of each series' raw samples over the last `windowMs` (M4 tenant latency, M2 SLO). */
  async percentiles(series: string[], windowMs: number, now = Date.now()): Promise<Record<string, { p50: number | null; p95: number | null; n: number }>> {
    const rows = await this.db.$queryRawUnsafe<{ series: string; p50: number | null; p95: number | null; n: number }[]>(
      `SELECT "series", percentile_cont(0.5) WITHIN GROUP (ORDER BY "v")::float8 AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY "v")::float8 AS p95, count("v")::int AS n
         FROM "samples" WHERE "series" = ANY($1::text[]) AND "t" >= $2 GROUP BY 1`,
      series,
      new Date(now - windowMs),
    );
    return Object.fromEntries(rows.map((r) => [r.series, { p50: r.p50, p95: r.p95, n: r.n }]));
  }
}

interface RawRow {
  series: string;
  b: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  p95: number | null;
  n: number;
}
