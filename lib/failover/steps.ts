// The steps of a region failover, in order (lib/failover/operation.ts runs them). Client-safe: the
// browser's stepper shows the same labels.
export const FAILOVER_STEPS = [
  { key: "confirm", label: "Confirm the loss" },
  { key: "stop_grants", label: "Stop every write lease of the lost region" },
  { key: "fence", label: "Fence the lost region" },
  { key: "await_lease", label: "Wait until its last lease has expired" },
  { key: "hold_replication", label: "Hold its replication into the survivor" },
  { key: "promote_postgres", label: "Promote PostgreSQL if its primary was lost" },
  { key: "route", label: "Route its tenants (one atomic router commit)" },
  { key: "verify", label: "Verify: a real write and read per moved tenant" },
] as const;

export type FailoverStepKey = (typeof FAILOVER_STEPS)[number]["key"];
