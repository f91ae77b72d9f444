import { routeOf } from "@/lib/http/route";
import { auditQuery } from "@/lib/audit/operations";

// GET /api/audit?targetType=&targetId=&limit=
export const GET = routeOf(auditQuery);
