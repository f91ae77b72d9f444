import type { z } from "zod";
import type { Action } from "@/lib/auth/permissions";
import type { ServiceContext } from "@/lib/context";

// One definition per operation: who may do it, what it is called in the audit log, what input
// it takes, and what it does. Routes (lib/http/route.ts) and the server action
// (lib/ops/actions.ts) are the two adapters; services never authenticate, parse or audit refusals.

/** Whom a mutation concerns, for the audit entry of a refused or failed attempt. */
export interface AuditTarget {
  type: string;
  id: string | null;
  /** Audit action name when it depends on the input (region.mark_down / region.mark_up). */
  action?: string;
  /** Recorded in the entry's `after` beside the refusal code. */
  details?: Record<string, unknown>;
}

interface Base<S extends z.ZodType, R> {
  /** The audit action name of a mutation; a stable name of a query. */
  name: string;
  permission: Action;
  schema: S;
  run(ctx: ServiceContext, input: z.output<S>): Promise<R>;
}

export interface Query<S extends z.ZodType = z.ZodType, R = unknown> extends Base<S, R> {
  kind: "query";
}

export interface Mutation<S extends z.ZodType = z.ZodType, R = unknown> extends Base<S, R> {
  kind: "mutation";
  target(input: z.output<S>): AuditTarget;
}

export type Operation<S extends z.ZodType = z.ZodType, R = unknown> = Query<S, R> | Mutation<S, R>;

export type InputOf<O> = O extends Base<infer S, unknown> ? z.input<S> : never;
export type ResultOf<O> = O extends Base<z.ZodType, infer R> ? R : never;

export function defineQuery<S extends z.ZodType, R>(d: Omit<Query<S, R>, "kind">): Query<S, R> {
  return { kind: "query", ...d };
}

export function defineMutation<S extends z.ZodType, R>(d: Omit<Mutation<S, R>, "kind">): Mutation<S, R> {
  return { kind: "mutation", ...d };
}
