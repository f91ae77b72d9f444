import { z } from "zod";
import { route } from "@/lib/http/route";
import { listRegions } from "@/lib/regions/service";
import { runtime } from "@/lib/runtime";

export const GET = route({ action: "overview:read", schema: z.object({}), input: () => ({}) }, () =>
  listRegions(runtime().database.prisma),
);
