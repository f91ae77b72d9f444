import "server-only";
import { z } from "zod";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { failoverIdSchema, failoverModeSchema, failoverRefSchema, freezeSchema, requestFailoverSchema, requestReturnSchema, unfreezeSchema } from "./schemas";
import { previewReturn, requestReturn } from "./return";
import { failoverOverview, freeze, getFailover, requestFailoverByAdmin, setMode, unfreeze } from "./service";

// F2/F7 request operations (routes: app/api/failovers, app/api/failover/*). Not to be confused
// with ./operation.ts, the failover as the engine runs it.

export const failoverOverviewQuery = defineQuery({
  name: "failover.overview",
  permission: "overview:read",
  schema: z.object({}),
  run: (ctx) => failoverOverview(ctx),
});

export const getFailoverQuery = defineQuery({
  name: "failover.get",
  permission: "overview:read",
  schema: failoverIdSchema,
  run: (ctx, i) => getFailover(ctx, i.id),
});

export const requestFailoverOp = defineMutation({
  name: "region.failover.request",
  permission: "failover:run",
  schema: requestFailoverSchema,
  target: (i) => ({ type: "region", id: i.regionId, details: i.decisionId ? { decisionId: i.decisionId } : undefined }),
  run: requestFailoverByAdmin,
});

export const setFailoverModeOp = defineMutation({
  name: "failover.mode",
  permission: "failover:settings",
  schema: failoverModeSchema,
  target: (i) => ({ type: "failover_settings", id: "1", details: { mode: i.mode } }),
  run: setMode,
});

export const freezeFailoverOp = defineMutation({
  name: "failover.freeze",
  permission: "failover:settings",
  schema: freezeSchema,
  target: (i) => ({ type: "failover_settings", id: "1", details: { until: i.until } }),
  run: (ctx, i) => freeze(ctx, i),
});

export const unfreezeFailoverOp = defineMutation({
  name: "failover.unfreeze",
  permission: "failover:settings",
  schema: unfreezeSchema,
  target: () => ({ type: "failover_settings", id: "1" }),
  run: unfreeze,
});

export const previewReturnQuery = defineQuery({
  name: "region.return.preview",
  permission: "failover:run",
  schema: failoverRefSchema,
  run: (ctx, i) => previewReturn(ctx, i.failoverId),
});

export const requestReturnOp = defineMutation({
  name: "region.return.request",
  permission: "failover:run",
  schema: requestReturnSchema,
  target: (i) => ({ type: "failover", id: i.failoverId, details: i.decision ? { decision: i.decision } : undefined }),
  run: requestReturn,
});
