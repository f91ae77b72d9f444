// Against the running lab's inference stand-in: OpenAI-compatible API, vLLM metric names, and
// DCGM GPU metrics whose load follows the traffic actually sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cfg, requireLab, sleep, waitFor } from "@/lib/federation/lab/testing";
import { GpuClient } from "../gpu/client";
import { meanUtil } from "../gpu/parse";
import { VllmClient } from "./client";
import { InferenceProbe } from "./adapter";
import { parseVllmMetrics } from "./parse";

const r = cfg.regions[1];
const base = `http://${r.net.address}:${r.inference.port}`;
const vllm = new VllmClient(base, 800);
const gpu = new GpuClient({ dcgmUrl: `http://${r.net.address}:${r.inference.gpuMetricsPort}/metrics` }, 800);

beforeAll(requireLab);
afterAll(() => {});

function chat(maxTokens: number): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: r.inference.model, messages: [{ role: "user", content: "Dengue warning signs?" }], max_tokens: maxTokens }),
  });
}

describe("vLLM + GPU connectors (live stand-in)", () => {
  it("answers the OpenAI chat API", async () => {
    const res = await chat(8);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    expect(body.object).toBe("chat.completion");
    expect(body.usage.completion_tokens).toBe(8);
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
  });

  it("metrics and GPU utilisation follow the traffic it receives", async () => {
    await sleep(1100); // let the 1 s utilisation window forget earlier requests
    const idle = parseVllmMetrics(await vllm.metricsText());
    const idleUtil = meanUtil(await gpu.read());
    expect(idle.running).toBe(0);
    expect(idleUtil).toBe(0);
    const before = idle.generationTokensTotal!;
    // 16 batch slots → 8 wait; 250 tokens at 8 ms ≈ 2 s per request
    const load = Array.from({ length: 24 }, () => chat(250));
    const busy = await waitFor(
      "all 24 requests admitted or queued",
      async () => {
        const m = parseVllmMetrics(await vllm.metricsText());
        return m.running! + m.waiting! === 24 ? m : null;
      },
      3000,
      20,
    );
    await sleep(1100); // fill the 1 s GPU utilisation window (requests run ≈ 2 s)
    const gpus = await gpu.read();
    expect(busy.running).toBe(16);
    expect(busy.waiting).toBe(8);
    expect(busy.kvCacheUsage).toBeGreaterThan(0);
    expect(gpus).toHaveLength(4);
    expect(meanUtil(gpus)!).toBeGreaterThan(50);
    expect(gpus.every((g) => g.modelName === "NVIDIA L40S")).toBe(true);
    await Promise.all((await Promise.all(load)).map((x) => x.text()));
    const after = parseVllmMetrics(await vllm.metricsText());
    expect(after.generationTokensTotal! - before).toBe(24 * 250);
    expect(after.running).toBe(0);
    expect(after.ttftP95Seconds).toBeGreaterThan(0);
    const probe = new InferenceProbe("infer", vllm, gpu);
    const h = await probe.health();
    expect(h.health.status).toBe("up");
    expect(h.gpus).toHaveLength(4);
  });

  it("a dead endpoint is a typed error and the component is down", async () => {
    const dead = new VllmClient(`http://${r.net.address}:17899`, 500);
    await expect(dead.health()).rejects.toMatchObject({ name: "ConnectorError", code: "refused", retryable: true });
    const deadGpu = new GpuClient({ dcgmUrl: `http://${r.net.address}:17898/metrics` }, 500);
    await expect(deadGpu.read()).rejects.toMatchObject({ code: "refused" });
    const h = await new InferenceProbe("infer", dead, deadGpu).health();
    expect(h.health.status).toBe("down");
    expect(h.health.reason).toMatch(/^vLLM \/health failed: connect ECONNREFUSED/);
  });

  it("a non-Prometheus answer is a protocol error, not a crash", async () => {
    const wrong = new VllmClient(`http://${r.net.address}:${r.appPort}`, 800); // the app server: /metrics is 404
    await expect(wrong.metricsText()).rejects.toMatchObject({ code: "protocol", retryable: false });
  });
});
