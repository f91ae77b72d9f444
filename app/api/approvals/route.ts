import { z } from "zod";
import { route, queryObject } from "@/lib/http/route";
import { listApprovals } from "@/lib/approvals/service";
import { runtime } from "@/lib/runtime";

export const GET = route(
  { action: "approval:decide", schema: z.object({ pending: z.enum(["1", "0"]).optional() }), input: (req) => queryObject(req) },
  ({ input }) => listApprovals(runtime().database.prisma, { pending: input.pending === "1" }),
);
