-- AlterTable
ALTER TABLE "moves" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'planned';
