-- A1 server-side sessions: the session cookie (a next-auth JWT) carries the id of one row here
-- as `sid`, and every request checks the row: not revoked, not idle for longer than
-- SESSION_IDLE_MINUTES since last_seen_at, not past expires_at (absolute lifetime, set at sign-in).
-- Sign-out and a role change revoke (revoked_at, revoked_reason); reauth_at is the last time
-- the person re-entered their password (the most dangerous actions require it to be recent).
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),
    "revoked_reason" TEXT,
    "reauth_at" TIMESTAMP(3),

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
