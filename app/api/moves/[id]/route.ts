import { route } from "@/lib/http/route";
import { moveIdSchema } from "@/lib/moves/schemas";
import { getMoveOrThrow } from "@/lib/moves/service";
import { runtime } from "@/lib/runtime";

export const GET = route({ action: "tenants:read", schema: moveIdSchema, input: (_req, params) => ({ id: params.id }) }, ({ input }) =>
  getMoveOrThrow(runtime().database.prisma, input.id),
);
