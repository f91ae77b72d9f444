"use client";
import { useEffect, useState } from "react";

/** Re-renders every `periodMs` so ages on screen keep counting even when no data arrives. */
export function useNow(periodMs = 500): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}
