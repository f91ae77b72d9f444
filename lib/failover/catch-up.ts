// F2 §6: a returning region's catch-up, from two readings of its replication progress: how fast
// it applies, how fast the survivor's writes arrive, and when it will have caught up. No I/O here.
import type { ReplicationProgress } from "@/lib/federation/types";
import type { CatchUpSample } from "./types";

export function catchUpSample(prev: ReplicationProgress | null, now: ReplicationProgress): CatchUpSample {
  const dt = prev ? (now.at - prev.at) / 1000 : 0;
  if (!prev || dt <= 0) return { at: now.at, backlog: now.backlog, applyPerSec: null, incomingPerSec: null, etaSec: now.backlog === 0 ? 0 : null };
  const applyPerSec = Math.max(0, (now.appliedSeq - prev.appliedSeq) / dt);
  const incomingPerSec = Math.max(0, (now.sourceSeq - prev.sourceSeq) / dt);
  const closing = applyPerSec - incomingPerSec;
  const etaSec = now.backlog === 0 ? 0 : closing > 0 ? now.backlog / closing : null;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { at: now.at, backlog: now.backlog, applyPerSec: r(applyPerSec), incomingPerSec: r(incomingPerSec), etaSec: etaSec === null ? null : r(etaSec) };
}
