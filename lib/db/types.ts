// Types only: domain code never imports the generated runtime, so Next's bundle stays light and
// the one PrismaClient instance lives in the server's runtime (lib/runtime.ts).
export type { PrismaClient, Tenant, Region, User, AuditEntry, RegionControl } from "@/lib/generated/prisma/client";
export type { Prisma } from "@/lib/generated/prisma/client";
/** The typed states (Prisma enums): the state machines are lib/moves/state-machine.ts and lib/approvals/state-machine.ts. */
export type { MoveState, MoveKind, ApprovalState } from "@/lib/generated/prisma/client";
import type { Prisma } from "@/lib/generated/prisma/client";
export type Tx = Prisma.TransactionClient;
