import { route, queryObject } from "@/lib/http/route";
import { tenantFilterSchema } from "@/lib/tenants/schemas";
import { listTenants } from "@/lib/tenants/service";
import { runtime } from "@/lib/runtime";

export const GET = route({ action: "tenants:read", schema: tenantFilterSchema, input: (req) => queryObject(req) }, ({ input }) =>
  listTenants(runtime().database.prisma, input),
);
