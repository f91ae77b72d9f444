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

// Bringing a failed-over region back (lib/failover/return.ts), in order.
export const RETURN_STEPS = [
  { key: "reach", label: "Reach the region again" },
  { key: "fence", label: "Fence it (no write before it has caught up)" },
  { key: "errant", label: "Find what it wrote that the survivor never applied" },
  { key: "resolve", label: "Apply the decision on those writes" },
  { key: "resume", label: "Resume replication both ways" },
  { key: "catch_up", label: "Catch up with every write made during the failover" },
  { key: "postgres", label: "Rejoin its PostgreSQL as a replica (pg_rewind)" },
  { key: "unfence", label: "Lift the fence; leases granted again" },
] as const;

export type ReturnStepKey = (typeof RETURN_STEPS)[number]["key"];
