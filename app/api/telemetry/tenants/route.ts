import { z } from "zod";
import { route } from "@/lib/http/route";
import { tenantLatency } from "@/lib/telemetry/service";
import { routeTable } from "@/lib/tenants/service";
import { runtime } from "@/lib/runtime";

// GET /api/telemetry/tenants — M4 latency through the router per tenant (15 min window).
export const GET = route({ action: "overview:read", schema: z.object({}), input: () => ({}) }, async () => {
  const rt = runtime();
  const tenants = Object.keys(await routeTable(rt.database.prisma));
  return tenantLatency(rt.history, rt.prober.latest, tenants);
});
