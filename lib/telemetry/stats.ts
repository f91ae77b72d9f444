// Pure statistics shared by the server (alerts) and the browser (chart summaries).

export function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  // Linear interpolation, as PostgreSQL's percentile_cont does.
  const pos = 0.95 * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}
