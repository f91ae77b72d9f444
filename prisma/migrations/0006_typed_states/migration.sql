-- Typed states: moves.state, moves.kind and approvals.state become enums (same values, so the API
-- and the UI see the same strings). Every value in use today is a label of its enum; the casts
-- fail the migration (and roll it back whole) if a row holds anything else.

-- CreateEnum
CREATE TYPE "MoveState" AS ENUM ('awaiting_approval', 'queued', 'running', 'completed', 'rolling_back', 'rolled_back', 'failed', 'expired', 'rejected');

-- CreateEnum
CREATE TYPE "MoveKind" AS ENUM ('planned', 'evacuation', 'repin');

-- CreateEnum
CREATE TYPE "ApprovalState" AS ENUM ('pending', 'approved', 'rejected', 'expired');

-- The partial unique index compares state with text literals, which cannot be rebuilt over an
-- enum column: drop it, change the type, create it again (same name, same states).
DROP INDEX "moves_one_active_per_tenant";

-- AlterTable (moves_state_idx is rebuilt by PostgreSQL itself)
ALTER TABLE "moves" ALTER COLUMN "state" TYPE "MoveState" USING ("state"::text::"MoveState");

-- AlterTable: a text default cannot be cast with the column; set it again after
ALTER TABLE "moves" ALTER COLUMN "kind" DROP DEFAULT;
ALTER TABLE "moves" ALTER COLUMN "kind" TYPE "MoveKind" USING ("kind"::text::"MoveKind");
ALTER TABLE "moves" ALTER COLUMN "kind" SET DEFAULT 'planned';

-- AlterTable (approvals_state_idx is rebuilt by PostgreSQL itself)
ALTER TABLE "approvals" ALTER COLUMN "state" TYPE "ApprovalState" USING ("state"::text::"ApprovalState");

-- A move waiting for approval, queued, running or rolling back holds the tenant (as in 0004).
CREATE UNIQUE INDEX "moves_one_active_per_tenant" ON "moves"("tenant_id") WHERE "state" IN ('awaiting_approval', 'queued', 'running', 'rolling_back');

-- CreateTable: hold-downs that survive a restart (T6 re-pin; later the failover engine's anti-flap)
CREATE TABLE "hold_downs" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "since" TIMESTAMP(3),
    "not_before" TIMESTAMP(3),
    "reason" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hold_downs_pkey" PRIMARY KEY ("scope","key")
);
