import "server-only";
// GPU figures for a region's inference component (DCGM exporter or nvidia-smi).
import type { Figure } from "@/lib/federation/types";
import { meanUtil } from "./parse";
import type { GpuSample } from "./types";

export function gpuFigures(gpus: GpuSample[]): { gpuUtilPct: number | null; figures: Figure[] } {
  const gpuUtilPct = meanUtil(gpus);
  const figures: Figure[] = [{ key: "gpu_util_pct", label: "GPU utilisation (mean)", value: gpuUtilPct, unit: "%" }];
  for (const g of gpus) {
    figures.push({ key: `gpu${g.gpu}_util_pct`, label: `GPU ${g.gpu} utilisation`, value: g.utilPct, unit: "%" });
    figures.push({ key: `gpu${g.gpu}_fb_used_mib`, label: `GPU ${g.gpu} memory used`, value: g.fbUsedMiB, unit: "MiB" });
    const total = g.fbUsedMiB !== null && g.fbFreeMiB !== null ? g.fbUsedMiB + g.fbFreeMiB : null;
    figures.push({ key: `gpu${g.gpu}_mem_pct`, label: `GPU ${g.gpu} memory`, value: total ? Math.round((g.fbUsedMiB! / total) * 1000) / 10 : null, unit: "%" });
  }
  return { gpuUtilPct, figures };
}
