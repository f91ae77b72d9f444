"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { Clock } from "lucide-react";
import { ApiError, fetchJson } from "@/lib/http/fetch-json";
import { useSocket } from "@/components/realtime/socket";
import { describeWait, SESSION_ENDED_CODES } from "@/lib/auth/sign-in-errors";
import type { SessionStatus } from "@/lib/auth/types";
import { useNow } from "@/lib/use-now";

// A1 in the browser: the server ends a session after SESSION_IDLE_MINUTES without activity and
// SESSION_MAX_HOURS after sign-in. This tells the person before it happens, and reports what
// they do here (clicks, keys, scrolling) as activity, at most once a minute. Polling and the
// socket never count: a console left open on a wall screen is signed out when nobody touches it.

const WARN_MS = 2 * 60_000;
const END_WARN_MS = 5 * 60_000;
const REPORT_EVERY_MS = 60_000;
const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart"] as const;

interface Deadlines {
  /** Browser-clock epoch ms. */
  idleAt: number;
  endAt: number;
  idleMinutes: number;
}

function deadlines(s: SessionStatus): Deadlines {
  const skew = Date.now() - s.serverTime;
  return { idleAt: Date.parse(s.idleExpiresAt) + skew, endAt: Date.parse(s.expiresAt) + skew, idleMinutes: s.idleMinutes };
}

export function SessionGuard() {
  const [d, setD] = useState<Deadlines | null>(null);
  const dRef = useRef<Deadlines | null>(null);
  useEffect(() => {
    dRef.current = d;
  }, [d]);
  const lastReport = useRef(Date.now()); // the page load that mounted this was activity
  const lastCheck = useRef(0);
  const inFlight = useRef(false);
  const now = useNow(1000);
  const { socket } = useSocket();

  // Set once this page starts navigating away (e.g. the Sign out button's own redirect).
  const leaving = useRef(false);
  useEffect(() => {
    const onLeave = () => {
      leaving.current = true;
    };
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, []);

  const ended = useCallback(() => {
    if (leaving.current) return;
    const at = Date.now();
    const cur = dRef.current;
    const code =
      cur && at >= cur.endAt ? SESSION_ENDED_CODES.expired : cur && at >= cur.idleAt ? SESSION_ENDED_CODES.idle_timeout : SESSION_ENDED_CODES.revoked;
    window.location.assign(`/signin?error=${code}`);
  }, []);

  /** GET: when the session ends (not activity). POST: "I am here" (activity). */
  const sync = useCallback(
    async (activity: boolean) => {
      if (inFlight.current) return;
      inFlight.current = true;
      lastCheck.current = Date.now();
      try {
        const s = await fetchJson<SessionStatus>("/api/session", activity ? { method: "POST", body: "{}" } : undefined);
        if (activity) lastReport.current = Date.now();
        setD(deadlines(s));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) ended();
      } finally {
        inFlight.current = false;
      }
    },
    [ended],
  );

  useEffect(() => {
    void sync(false);
  }, [sync]);

  // What the person does here is activity, reported at most once a minute.
  useEffect(() => {
    const onActivity = () => {
      if (Date.now() - lastReport.current >= REPORT_EVERY_MS) void sync(true);
    };
    for (const e of ACTIVITY) window.addEventListener(e, onActivity, { capture: true, passive: true });
    return () => {
      for (const e of ACTIVITY) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [sync]);

  // The server closes the socket of an ended session (signed out elsewhere, revoked, timed out).
  useEffect(() => {
    if (!socket) return;
    const onError = (e: { code: string }) => {
      // Signing out here ends the session too: give the sign-out's own redirect a moment to start first.
      if (e.code === "session_ended") setTimeout(ended, 1500);
    };
    socket.on("app:error", onError);
    return () => {
      socket.off("app:error", onError);
    };
  }, [socket, ended]);

  // Near a deadline, ask the server again (a change made in another tab counts too); past it, the answer is 401.
  useEffect(() => {
    if (!d) return;
    const left = Math.min(d.idleAt, d.endAt) - now;
    const every = left <= 0 ? 5_000 : 30_000;
    if (left <= WARN_MS && now - lastCheck.current >= every) void sync(false);
  }, [d, now, sync]);

  if (!d) return null;
  const idleLeft = d.idleAt - now;
  const endLeft = d.endAt - now;
  if (endLeft > 0 && endLeft <= END_WARN_MS && d.endAt <= d.idleAt)
    return (
      <div className="banner warn" role="status" data-testid="session-ending">
        <Clock size={16} aria-hidden />
        <div>
          Your session ends in {describeWait(Math.ceil(endLeft / 1000))}: sessions last a limited time whatever you do. Finish what you are doing; you will need
          to sign in again.
        </div>
      </div>
    );
  if (idleLeft > 0 && idleLeft <= WARN_MS)
    return (
      <div className="banner warn" role="alert" data-testid="idle-warning">
        <Clock size={16} aria-hidden />
        <div>
          You will be signed out in {describeWait(Math.ceil(idleLeft / 1000))} for inactivity.{" "}
          <button type="button" className="btn" onClick={() => void sync(true)}>
            Stay signed in
          </button>
        </div>
      </div>
    );
  return null;
}
