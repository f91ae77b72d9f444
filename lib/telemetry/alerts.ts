import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import type { RegionHealth } from "@/lib/federation/types";
import type { Bus } from "@/lib/realtime/bus";
import { formatDuration } from "@/lib/format";
import { p95 } from "./stats";
import { LAG_SLO_MS, SLO_WINDOW_MS } from "@/lib/slo";
import type { AlertKind, AlertView } from "./types";

export { p95 };

// M6: alerts every signed-in user sees, recorded with start and end. Two rules:
//  - region_down: the region's roll-up says down;
//  - lag_slo: p95 of cross-region lag into the region over the last minute is above the SLO.

const MIN_SAMPLES = 10;
/** A region must be down in this many consecutive samples before the alert opens. */
export const DOWN_CONFIRM_SAMPLES = 2;

export type { AlertKind, AlertView } from "./types";

interface OpenAlert {
  id: bigint;
  kind: AlertKind;
  regionId: string;
  startedAt: Date;
  message: string;
  peak: number | null;
}

export class AlertEngine {
  private open = new Map<string, OpenAlert>();
  private lagWindow = new Map<string, { t: number; v: number }[]>();
  /** Consecutive samples each region has been down: one dropped probe round is not an outage. */
  private downStreak = new Map<string, number>();
  private loaded = false;

  private readonly windowMs: number;

  constructor(
    private readonly db: PrismaClient,
    private readonly bus: Bus,
    opts: { windowMs?: number } = {},
  ) {
    this.windowMs = opts.windowMs ?? SLO_WINDOW_MS;
  }

  private async load() {
    if (this.loaded) return;
    this.loaded = true;
    for (const a of await this.db.alert.findMany({ where: { endedAt: null } })) {
      this.open.set(`${a.kind}:${a.regionId}`, {
        id: a.id,
        kind: a.kind as AlertKind,
        regionId: a.regionId ?? "",
        startedAt: a.startedAt,
        message: a.message,
        peak: a.peak,
      });
    }
  }

  /** Feed one sample of every region; opens and closes alerts. */
  async evaluate(regions: RegionHealth[], now = Date.now()): Promise<void> {
    await this.load();
    let changed = false;
    for (const r of regions) {
      const w = (this.lagWindow.get(r.regionId) ?? []).filter((p) => p.t > now - this.windowMs);
      // the worst lag of each sample (per heartbeat): a stall that ends between two samples still counts
      const lag = r.figures.replicationLagPeakMs;
      if (lag !== null && w.at(-1)?.t !== r.measuredAt) w.push({ t: r.measuredAt, v: lag });
      this.lagWindow.set(r.regionId, w);

      const down = r.status === "down";
      const streak = down ? (this.downStreak.get(r.regionId) ?? 0) + 1 : 0;
      this.downStreak.set(r.regionId, streak);
      const confirmedDown = streak >= DOWN_CONFIRM_SAMPLES || (down && this.open.has(`region_down:${r.regionId}`));
      changed = (await this.toggle("region_down", r, confirmedDown, `${r.name} is down: ${r.reasons[0] ?? "no reason reported"}`, null, now)) || changed;

      const lagP95 = w.length >= MIN_SAMPLES ? p95(w.map((p) => p.v)) : null;
      // While the region itself is down its lag is unmeasurable: the down alert covers it.
      const breach = !down && lagP95 !== null && lagP95 > LAG_SLO_MS;
      changed =
        (await this.toggle(
          "lag_slo",
          r,
          breach,
          `Cross-region lag into ${r.name}: p95 ${lagP95 === null ? "—" : formatDuration(lagP95)} over the last ${formatDuration(this.windowMs)} is above the 1 s SLO`,
          lagP95,
          now,
        )) || changed;

      const elsewhere = r.figures.tenantsElsewhere ?? [];
      changed =
        (await this.toggle(
          "served_elsewhere",
          r,
          elsewhere.length > 0,
          `${elsewhere.length} tenant${elsewhere.length === 1 ? "" : "s"} routed to ${r.name} ${elsewhere.length === 1 ? "is" : "are"} served by another region: ${elsewhere.slice(0, 8).join(", ")}${elsewhere.length > 8 ? ", …" : ""}`,
          elsewhere.length,
          now,
        )) || changed;
      const breaches = r.figures.residencyBreaches ?? [];
      changed =
        (await this.toggle(
          "residency_breach",
          r,
          breaches.length > 0,
          `${r.name} is answering residency-locked tenant${breaches.length === 1 ? "" : "s"} outside ${breaches.length === 1 ? "its" : "their"} lock: ${breaches.join(", ")}`,
          breaches.length,
          now,
        )) || changed;
    }
    if (changed) this.bus.emit("alerts:changed", this.openAlerts());
  }

  private async toggle(kind: AlertKind, region: RegionHealth, active: boolean, message: string, value: number | null, now: number): Promise<boolean> {
    const regionId = region.regionId;
    const key = `${kind}:${regionId}`;
    const cur = this.open.get(key);
    if (active && !cur) {
      const row = await this.db.alert.create({ data: { kind, regionId, message, peak: value, startedAt: new Date(now) } });
      this.open.set(key, { id: row.id, kind, regionId, startedAt: row.startedAt, message, peak: value });
      await this.db.annotation.create({ data: { t: new Date(now), kind: `${kind}_start`, regionId, text: message } });
      return true;
    }
    if (active && cur && value !== null && (cur.peak === null || value > cur.peak)) {
      cur.peak = value;
      cur.message = message;
      await this.db.alert.update({ where: { id: cur.id }, data: { peak: value, message } });
      return true;
    }
    if (!active && cur) {
      this.open.delete(key);
      await this.db.alert.update({ where: { id: cur.id }, data: { endedAt: new Date(now) } });
      const text = {
        region_down: `${region.name} is back up`,
        lag_slo: `Cross-region lag into ${region.name} back within the 1 s SLO`,
        served_elsewhere: `Every tenant routed to ${region.name} is served there again`,
        residency_breach: `${region.name} no longer answers any tenant outside its residency lock`,
      }[kind];
      await this.db.annotation.create({ data: { t: new Date(now), kind: `${kind}_end`, regionId, text } });
      return true;
    }
    return false;
  }

  openAlerts(): AlertView[] {
    return [...this.open.values()].map((a) => ({
      id: a.id.toString(),
      kind: a.kind,
      regionId: a.regionId,
      startedAt: a.startedAt.toISOString(),
      endedAt: null,
      message: a.message,
      peak: a.peak,
    }));
  }
}

export async function listAlerts(db: PrismaClient, limit = 50): Promise<AlertView[]> {
  const rows = await db.alert.findMany({ orderBy: { startedAt: "desc" }, take: limit });
  return rows.map((a) => ({
    id: a.id.toString(),
    kind: a.kind as AlertKind,
    regionId: a.regionId,
    startedAt: a.startedAt.toISOString(),
    endedAt: a.endedAt?.toISOString() ?? null,
    message: a.message,
    peak: a.peak,
  }));
}
