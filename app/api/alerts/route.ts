import { z } from "zod";
import { route } from "@/lib/http/route";
import { listAlerts } from "@/lib/telemetry/alerts";
import { runtime } from "@/lib/runtime";

// Open alerts first-hand from the engine, plus the recent history with start and end times.
export const GET = route({ action: "overview:read", schema: z.object({}), input: () => ({}) }, async () => {
  const rt = runtime();
  return { open: rt.alerts.openAlerts(), recent: await listAlerts(rt.database.prisma, 50) };
});
