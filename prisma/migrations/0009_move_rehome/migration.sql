-- A move may make its target the tenant's new primary region (re-home), under dual control.
ALTER TABLE "moves" ADD COLUMN "rehome" BOOLEAN NOT NULL DEFAULT false;
