import "server-only";
// Inference health of one region: vLLM /health and /metrics, plus the GPUs behind it.
import type { ComponentHealth, Figure } from "@/lib/federation/types";
import type { GpuClient } from "../gpu/client";
import { gpuFigures } from "../gpu/adapter";
import type { GpuSample } from "../gpu/types";
import type { VllmClient } from "./client";
import { parseVllmMetrics, tokensPerSecond } from "./parse";

export class InferenceProbe {
  private lastTokens: { total: number; at: number } | null = null;

  constructor(
    readonly name: string,
    readonly vllm: VllmClient,
    readonly gpu: GpuClient | null,
  ) {}

  async health(): Promise<{ health: ComponentHealth; gpuUtilPct: number | null; gpus: GpuSample[] }> {
    const measuredAt = Date.now();
    const [h, m, g] = await Promise.allSettled([this.vllm.health(), this.vllm.metricsText(), this.gpu ? this.gpu.read() : Promise.resolve([])]);
    const reasons: string[] = [];
    const figures: Figure[] = [];
    const gpus = g.status === "fulfilled" ? g.value : [];
    if (g.status === "rejected") reasons.push(`GPU metrics unavailable: ${(g.reason as Error).message}`);
    const gpu = gpuFigures(gpus);
    const gpuUtilPct = gpu.gpuUtilPct;
    if (m.status === "fulfilled") {
      try {
        const v = parseVllmMetrics(m.value);
        const tps = v.generationTokensTotal === null ? null : tokensPerSecond(this.lastTokens, { total: v.generationTokensTotal, at: measuredAt });
        if (v.generationTokensTotal !== null) this.lastTokens = { total: v.generationTokensTotal, at: measuredAt };
        figures.push(
          { key: "running", label: "Requests running", value: v.running, unit: "req" },
          { key: "waiting", label: "Requests waiting", value: v.waiting, unit: "req" },
          { key: "kv_cache_pct", label: "KV cache used", value: v.kvCacheUsage === null ? null : Math.round(v.kvCacheUsage * 1000) / 10, unit: "%" },
          { key: "ttft_p95_ms", label: "Time to first token p95", value: v.ttftP95Seconds === null ? null : Math.round(v.ttftP95Seconds * 1000), unit: "ms" },
          { key: "tokens_per_sec", label: "Generated tokens/s", value: tps === null ? null : Math.round(tps), unit: "tok/s" },
        );
      } catch (e) {
        reasons.push(`vLLM metrics unreadable: ${(e as Error).message}`);
      }
    } else reasons.push(`vLLM metrics unavailable: ${(m.reason as Error).message}`);
    figures.push(...gpu.figures);
    if (h.status === "rejected") {
      return {
        health: { kind: "inference", name: this.name, status: "down", reason: `vLLM /health failed: ${(h.reason as Error).message}`, figures, measuredAt },
        gpuUtilPct,
        gpus,
      };
    }
    return {
      health: {
        kind: "inference",
        name: this.name,
        status: reasons.length ? "degraded" : "up",
        reason: reasons.length ? reasons.join("; ") : null,
        figures,
        measuredAt,
      },
      gpuUtilPct,
      gpus,
    };
  }
}
