// Is what the screen shows still live? The rules the browser applies to the server's heartbeat
// (the socket's `tick`), to stale samples, and to the console's own stalls. Pure: the browser and
// the tests import this file; the stall detector (lib/telemetry/stall.ts) produces ConsoleStall.
import { formatAge, formatDuration } from "./format";

/** The console's event loop did not run from startedAt to endedAt (epoch ms, server clock). */
export interface ConsoleStall {
  startedAt: number;
  endedAt: number;
  durationMs: number;
}

/** What the socket server sends every connected client once a second. */
export interface ServerTick {
  serverTime: number;
  /** Measurement time of the newest region sample the console holds (null before the first). */
  newestSampleAt: number | null;
  /** The console's latest stall of its own, if any (late joiners see the notice too). */
  lastStall: ConsoleStall | null;
}

/** The socket says connected, but nothing arrived for longer than this: the server is silent. */
export const SILENT_AFTER_MS = 3000;

export type ConnectionState = "connecting" | "live" | "reconnecting" | "refused";

export type ConnectionView =
  | { kind: "live"; label: "Live" }
  | { kind: "silent"; silentForMs: number; label: string }
  | { kind: "connecting" | "reconnecting" | "refused"; label: string };

/**
 * The connection indicator: "Live" only while the socket is connected AND the server spoke in the
 * last SILENT_AFTER_MS (it ticks every second); otherwise "No data for N s". lastDataAt and now
 * are the browser's own clock (when something was received, and now).
 */
export function connectionView(state: ConnectionState, lastDataAt: number | null, now: number): ConnectionView {
  if (state === "refused") return { kind: "refused", label: "Not signed in" };
  if (state === "connecting") return { kind: "connecting", label: "Connecting…" };
  if (state === "reconnecting") return { kind: "reconnecting", label: "Reconnecting…" };
  const silentForMs = lastDataAt === null ? 0 : Math.max(0, now - lastDataAt);
  if (silentForMs > SILENT_AFTER_MS) return { kind: "silent", silentForMs, label: `No data for ${Math.floor(silentForMs / 1000)} s` };
  return { kind: "live", label: "Live" };
}

/** A status shown from data that is no longer live: "Last known: healthy, 12 s ago", never a bare "Healthy". */
export function lastKnownLabel(word: string, ageMs: number): string {
  return `Last known: ${word}, ${formatAge(ageMs)}`;
}

/** How long the shell says the console paused, after the pause ended. */
export const STALL_NOTICE_FOR_MS = 60_000;
/**
 * Shorter stalls are counted (/api/health, /api/metrics) and their samples re-taken, but not
 * announced: no screen could have noticed them ("No data" after 3 s, "Stale" after 5 s).
 */
export const STALL_NOTICE_MIN_MS = 2000;

/**
 * The shell's notice after the console itself paused (serverNow: the server's clock), or null
 * when there is nothing to say. `timeZone` is for tests; the browser shows its own.
 */
export function stallNotice(stall: ConsoleStall | null, serverNow: number, timeZone?: string): string | null {
  if (!stall || stall.durationMs < STALL_NOTICE_MIN_MS) return null;
  if (serverNow - stall.endedAt > STALL_NOTICE_FOR_MS) return null;
  const at = new Date(stall.startedAt).toLocaleTimeString("en-GB", timeZone ? { timeZone } : undefined);
  return `The console itself paused for ${pauseLength(stall.durationMs)} at ${at}; samples taken across the pause were discarded and re-taken.`;
}

/** "8.2 s", "1 min 5 s". */
function pauseLength(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}
