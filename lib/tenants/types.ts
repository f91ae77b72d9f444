// View types of tenants: what the API returns and the browser renders. No server code here, so
// client modules may import them (lib/tenants/service.ts is server-only).
import type { ObservedServing } from "./observed";

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
  /** Where its last probe was answered (null: not probed yet, or in a context without probes). */
  observed: ObservedServing | null;
}
