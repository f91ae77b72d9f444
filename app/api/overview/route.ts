import { z } from "zod";
import { route } from "@/lib/http/route";
import { runtime } from "@/lib/runtime";
import type { HealthSnapshot } from "@/lib/realtime/events";

// The same snapshot the socket sends on subscribe, for the first paint and for reconnects.
export const GET = route({ action: "overview:read", schema: z.object({}), input: () => ({}) }, async (): Promise<HealthSnapshot> => {
  const rt = runtime();
  return { regions: rt.live.regions(), series: rt.live.allSeries(), serverTime: Date.now() };
});
