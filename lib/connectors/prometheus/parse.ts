// Prometheus text exposition format (0.0.4) parser, shared by the vLLM, DCGM and object-store
// connectors. Pure: text in, samples out.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** metric family name → TYPE (counter, gauge, histogram, summary, untyped) */
  types: Record<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(s: string): number {
  if (s === "+Inf" || s === "Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  if (s === "NaN") return Number.NaN;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`bad sample value "${s}"`);
  return v;
}

function parseLabels(src: string, at: number, line: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1; // after "{"
  while (i < src.length) {
    while (src[i] === " " || src[i] === ",") i++;
    if (src[i] === "}") return { labels, end: i + 1 };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i));
    if (!m) throw new Error(`bad label name in: ${line}`);
    const key = m[0];
    i += key.length;
    while (src[i] === " ") i++;
    if (src[i] !== "=" || src[i + 1] !== '"') throw new Error(`bad label in: ${line}`);
    i += 2;
    let val = "";
    while (i < src.length && src[i] !== '"') {
      if (src[i] === "\\") {
        const n = src[i + 1];
        val += n === "n" ? "\n" : n;
        i += 2;
      } else val += src[i++];
    }
    if (src[i] !== '"') throw new Error(`unterminated label value in: ${line}`);
    labels[key] = val;
    i++;
  }
  throw new Error(`unterminated label set in: ${line}`);
}

/** Parses exposition text. Throws on a malformed sample line (the endpoint is not Prometheus). */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("#")) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types[m[1]] = m[2];
      continue;
    }
    const nm = NAME.exec(line);
    if (!nm) throw new Error(`bad metric line: ${line}`);
    let i = nm[0].length;
    let labels: Record<string, string> = {};
    if (line[i] === "{") {
      const r = parseLabels(line, i, line);
      labels = r.labels;
      i = r.end;
    }
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length < 1 || rest[0] === "") throw new Error(`missing value: ${line}`);
    samples.push({ name: nm[0], labels, value: parseValue(rest[0]) });
  }
  return { samples, types };
}

export function select(exp: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return exp.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** Sum of the matching samples; null when the metric is absent (not the same as 0). */
export function sumOf(exp: Exposition, name: string, match: Record<string, string> = {}): number | null {
  const s = select(exp, name, match);
  return s.length === 0 ? null : s.reduce((a, x) => a + x.value, 0);
}

/**
 * Quantile from a cumulative histogram (`<name>_bucket{le=…}`), interpolated linearly inside the
 * bucket like PromQL's histogram_quantile. Null when there are no observations.
 */
export function histogramQuantile(exp: Exposition, name: string, q: number, match: Record<string, string> = {}): number | null {
  const byLe = new Map<number, number>();
  for (const s of select(exp, `${name}_bucket`, match)) {
    const le = parseValue(s.labels.le ?? "");
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  if (buckets.length === 0) return null;
  const total = buckets[buckets.length - 1][1];
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe; // in the +Inf bucket: best known bound
      const inBucket = count - prevCount;
      return inBucket <= 0 ? le : prevLe + (le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
