import "server-only";
import { z } from "zod";
import { defineQuery } from "@/lib/ops/operation";
import { routeTable } from "@/lib/tenants/service";
import type { HealthSnapshot } from "@/lib/realtime/events";
import { listAlerts } from "./alerts";
import { annotationsQuerySchema, historyQuerySchema } from "./schemas";
import { listAnnotations, panelHistory, tenantLatency } from "./service";

/** The same snapshot the socket sends on subscribe, for the first paint and for reconnects. */
export const overviewQuery = defineQuery({
  name: "overview.snapshot",
  permission: "overview:read",
  schema: z.object({}),
  run: async (ctx): Promise<HealthSnapshot> => ({ regions: ctx.live.regions(), series: ctx.live.allSeries(), serverTime: Date.now() }),
});

/** M5: a panel's history for one range, with its annotations. */
export const panelHistoryQuery = defineQuery({
  name: "telemetry.history",
  permission: "overview:read",
  schema: historyQuerySchema,
  run: (ctx, q) => panelHistory(ctx.db, ctx.history, q),
});

export const annotationsQuery = defineQuery({
  name: "telemetry.annotations",
  permission: "overview:read",
  schema: annotationsQuerySchema,
  run: (ctx, q) => listAnnotations(ctx.db, q.range),
});

/** M4: latency through the router per tenant (15 min window) and its latest probe. */
export const tenantLatencyQuery = defineQuery({
  name: "telemetry.tenants",
  permission: "overview:read",
  schema: z.object({}),
  run: async (ctx) => tenantLatency(ctx.history, ctx.probes, Object.keys(await routeTable(ctx.db))),
});

/** Open alerts first-hand from the engine, plus the recent history with start and end times. */
export const alertsQuery = defineQuery({
  name: "alerts.list",
  permission: "overview:read",
  schema: z.object({}),
  run: async (ctx) => ({ open: ctx.alerts.openAlerts(), recent: await listAlerts(ctx.db, 50) }),
});
