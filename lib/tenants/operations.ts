import "server-only";
import { defineMutation, defineQuery } from "@/lib/ops/operation";
import { switchRegionSchema, tenantFilterSchema } from "./schemas";
import { listTenants, switchTenantRegion } from "./service";

export const listTenantsQuery = defineQuery({
  name: "tenants.list",
  permission: "tenants:read",
  schema: tenantFilterSchema,
  run: listTenants,
});

/** Routes a tenant at once, unfenced (the move's flip step uses the same code). API only. */
export const switchTenant = defineMutation({
  name: "tenant.switch",
  permission: "tenant:switch",
  schema: switchRegionSchema,
  target: (i) => ({ type: "tenant", id: i.tenantId, details: { requestedRegionId: i.targetRegionId } }),
  run: switchTenantRegion,
});
