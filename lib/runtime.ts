import type { Database } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import type { Actor } from "@/lib/auth/permissions";
import { contextFor, type ServiceContext, type Services } from "@/lib/context";
import type { Limits } from "@/lib/http/rate-limit";

/** A long-running job of the console: started after the database opens, drained on SIGTERM. */
export interface Worker {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  health(): WorkerHealth;
}

export interface WorkerHealth {
  name: string;
  /** running: doing its job; standby: alive, not the leader; failing: its last run threw; stopped. */
  state: "running" | "standby" | "failing" | "stopped";
  /** When it last finished a run (epoch ms), null before the first. */
  lastRunAt: number | null;
  /** The last failure, for operators (admin-only surfaces); never sent to anonymous callers. */
  lastError: string | null;
}

/**
 * The process's long-lived parts, built once by the composition root (server/runtime.ts) before
 * the port opens. Kept on globalThis because Next.js loads route code as separate module
 * instances from the server's own: a module-level singleton would be made twice.
 */
export interface Runtime {
  env: Env;
  database: Database;
  services: Services;
  workers: readonly Worker[];
  /** A2 throttles (changes per user, sign-in attempts). */
  limits: Limits;
  startedAt: number;
}

const KEY = Symbol.for("federation-console.runtime");
type Holder = { [KEY]?: Runtime };

export function setRuntime(r: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = r;
}

export function runtime(): Runtime {
  const r = (globalThis as Holder)[KEY];
  if (!r) throw new Error("the console's runtime is not started: run the console through server.ts");
  return r;
}

/** A service context over the running console's services. */
export function runtimeContext(actor: Actor, requestId: string): ServiceContext {
  return contextFor(runtime().services, actor, requestId);
}
