import type { PrismaClient } from "@/lib/db/types";
import type { Federation } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { Bus } from "@/lib/realtime/bus";
import type { Actor } from "@/lib/auth/permissions";

/** What a domain service needs to act: passed in explicitly so workers and tests can call it. */
export interface ServiceContext {
  db: PrismaClient;
  federation: Federation;
  live: LiveHealth;
  bus: Bus;
  actor: Actor;
  requestId: string;
  /** Ask the pollers for a fresh sample now (after a change people will look for). */
  refresh?: () => Promise<void>;
}
