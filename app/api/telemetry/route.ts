import { route, queryObject } from "@/lib/http/route";
import { historyQuerySchema } from "@/lib/telemetry/schemas";
import { panelHistory } from "@/lib/telemetry/service";
import { runtime } from "@/lib/runtime";

// GET /api/telemetry?panel=replication&range=1h[&region=kl_dc_1]
export const GET = route({ action: "overview:read", schema: historyQuerySchema, input: (req) => queryObject(req) }, ({ input }) => {
  const rt = runtime();
  return panelHistory(rt.database.prisma, rt.history, input);
});
