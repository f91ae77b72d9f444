import { route, queryObject } from "@/lib/http/route";
import { annotationsQuerySchema } from "@/lib/telemetry/schemas";
import { listAnnotations } from "@/lib/telemetry/service";
import { runtime } from "@/lib/runtime";

export const GET = route({ action: "overview:read", schema: annotationsQuerySchema, input: (req) => queryObject(req) }, ({ input }) =>
  listAnnotations(runtime().database.prisma, input.range),
);
