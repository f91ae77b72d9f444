import "server-only";
import { z } from "zod";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { markRegionSchema } from "./schemas";
import { listRegions, markAction, markRegion } from "./service";

export const listRegionsQuery = defineQuery({
  name: "regions.list",
  permission: "overview:read",
  schema: z.object({}),
  run: (ctx) => listRegions(ctx),
});

export const markRegionOp = defineMutation({
  name: "region.mark",
  permission: "region:mark",
  schema: markRegionSchema,
  target: (i) => ({ type: "region", id: i.regionId, action: markAction(i.down) }),
  run: markRegion,
});
