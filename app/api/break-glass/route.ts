import { z } from "zod";
import { route, jsonBody } from "@/lib/http/route";
import { breakGlassSchema } from "@/lib/approvals/schemas";
import { activeBreakGlass, endBreakGlass, startBreakGlass } from "@/lib/approvals/service";
import { runtime, serviceContext } from "@/lib/runtime";

// Everyone sees who holds break-glass; admins start (reason + minutes) and end their own.
export const GET = route({ action: "overview:read", schema: z.object({}), input: () => ({}) }, () => activeBreakGlass(runtime().database.prisma));

export const POST = route({ action: "break_glass", auditAs: "break_glass.start", schema: breakGlassSchema, input: (req) => jsonBody(req) }, (g) =>
  startBreakGlass(serviceContext(g.actor, g.requestId), g.input),
);

export const DELETE = route({ action: "break_glass", auditAs: "break_glass.end", schema: z.object({}), input: () => ({}) }, async (g) => {
  await endBreakGlass(serviceContext(g.actor, g.requestId));
  return { ended: true };
});
