// View types of tenants: what the API returns and the browser renders. No server code here, so
// client modules may import them (lib/tenants/service.ts is server-only).

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  state: string;
  primaryRegionId: string;
  failoverRegionId: string;
  servingRegionId: string;
  allowedRegions: string[];
  residencyLocked: boolean;
  failoverAccess: "full" | "read_only";
  version: number;
  updatedAt: string;
  updatedBy: string | null;
}
