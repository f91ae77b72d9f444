import "server-only";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { resolveDriftSchema, routeDriftQuerySchema } from "./schemas";
import { listRouteDrift, resolveRouteDrift } from "./service";

/** The open route drift (router's table ≠ the console's): every role that sees the overview. */
export const routeDriftQuery = defineQuery({
  name: "routes.drift",
  permission: "overview:read",
  schema: routeDriftQuerySchema,
  run: (ctx) => listRouteDrift(ctx),
});

/** Admin: keep the router's table or push the console's; audited, clears the drift. */
export const resolveRouteDriftOp = defineMutation({
  name: "routes.resolve_drift",
  permission: "routes:resolve",
  schema: resolveDriftSchema,
  target: (i) => ({ type: "routes", id: "router", details: { resolution: i.resolution } }),
  run: resolveRouteDrift,
});
