// Pure parsers: DCGM exporter text and `nvidia-smi --query-gpu=… --format=csv`.
import { parsePrometheusText } from "../prometheus/parse";
import type { GpuSample } from "./types";

export function parseDcgm(text: string): GpuSample[] {
  const exp = parsePrometheusText(text);
  const gpus = new Map<string, GpuSample>();
  const get = (l: Record<string, string>) => {
    const id = l.gpu ?? l.device ?? "?";
    let g = gpus.get(id);
    if (!g) {
      g = { gpu: id, uuid: l.UUID ?? null, modelName: l.modelName ?? null, utilPct: null, fbUsedMiB: null, fbFreeMiB: null };
      gpus.set(id, g);
    }
    return g;
  };
  for (const s of exp.samples) {
    if (s.name === "DCGM_FI_DEV_GPU_UTIL") get(s.labels).utilPct = s.value;
    else if (s.name === "DCGM_FI_DEV_FB_USED") get(s.labels).fbUsedMiB = s.value;
    else if (s.name === "DCGM_FI_DEV_FB_FREE") get(s.labels).fbFreeMiB = s.value;
  }
  return [...gpus.values()].sort((a, b) => Number(a.gpu) - Number(b.gpu));
}

export const NVIDIA_SMI_QUERY = "index,uuid,name,utilization.gpu,memory.used,memory.free";

/** `nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.free --format=csv` */
export function parseNvidiaSmiCsv(text: string): GpuSample[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) return [];
  const header = lines[0].split(",").map((h) => h.trim().replace(/\s*\[.*\]$/, ""));
  const idx = (n: string) => header.indexOf(n);
  const val = (cells: string[], n: string) => (idx(n) >= 0 ? (cells[idx(n)]?.trim() ?? "") : "");
  const num = (s: string) => {
    const m = /^(-?\d+(?:\.\d+)?)/.exec(s);
    return m ? Number(m[1]) : null; // "[N/A]" → null
  };
  return lines.slice(1).map((l) => {
    const cells = l.split(",");
    return {
      gpu: val(cells, "index"),
      uuid: val(cells, "uuid") || null,
      modelName: val(cells, "name") || null,
      utilPct: num(val(cells, "utilization.gpu")),
      fbUsedMiB: num(val(cells, "memory.used")),
      fbFreeMiB: num(val(cells, "memory.free")),
    };
  });
}

export function meanUtil(gpus: GpuSample[]): number | null {
  const u = gpus.map((g) => g.utilPct).filter((v): v is number => v !== null);
  return u.length ? Math.round((u.reduce((a, b) => a + b, 0) / u.length) * 10) / 10 : null;
}
