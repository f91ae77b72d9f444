import type { TenantFilter } from "./schemas";

export const tenantKeys = {
  all: ["tenants"] as const,
  list: (f: TenantFilter) => ["tenants", "list", f] as const,
};
