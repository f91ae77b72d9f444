// Inference stand-in for one region (vLLM and GPUs are not available here). It speaks vLLM's
// OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models, GET /health) and exposes
// vLLM's real Prometheus metric names at GET /metrics; a second port serves DCGM-exporter text
// for 4 simulated NVIDIA L40S GPUs whose utilisation follows the requests this process serves.
// Text generation is fake (canned tokens at a fixed pace); the scheduling numbers are real.
// Usage: node --import tsx lab/app/inference.ts <regionId>
import http from "node:http";
import { randomUUID } from "node:crypto";
import { loadLabConfig, regionOrThrow } from "../../lib/federation/lab/config";

const cfg = loadLabConfig();
const regionId = process.argv[2] ?? "";
const region = regionOrThrow(cfg, regionId);
const MODEL = region.inference.model;
const GPUS = region.inference.gpus;
const MAX_RUNNING = 4 * GPUS; // batch slots (max_num_seqs across data-parallel replicas)
const KV_CAPACITY_TOKENS = 8192 * GPUS; // KV-cache blocks expressed in tokens
const MS_PER_TOKEN = 8; // decode pace per sequence
const FB_TOTAL_MIB = 46068; // what nvidia-smi / DCGM report for an L40S (48 GB)
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

interface Seq {
  id: string;
  gpu: number;
  promptTokens: number;
  generated: number;
  maxTokens: number;
  arrivedAt: number;
}
const running: Seq[] = [];
const waiting: { seq: Seq; start: () => void }[] = [];
let nextGpu = 0;
const ttft = { buckets: TTFT_BUCKETS.map(() => 0), count: 0, sum: 0 };
let generationTokensTotal = 0;
let promptTokensTotal = 0;
let requestSuccessTotal = 0;

function observeTtft(seconds: number): void {
  ttft.count++;
  ttft.sum += seconds;
  TTFT_BUCKETS.forEach((b, i) => {
    if (seconds <= b) ttft.buckets[i]++;
  });
}

function kvUsage(gpu?: number): number {
  const seqs = gpu === undefined ? running : running.filter((s) => s.gpu === gpu);
  const cap = gpu === undefined ? KV_CAPACITY_TOKENS : KV_CAPACITY_TOKENS / GPUS;
  return Math.min(1, seqs.reduce((a, s) => a + s.promptTokens + s.generated, 0) / cap);
}

// GPU utilisation: sampled every 100 ms from what is running on each GPU, averaged over 1 s
// (DCGM's GPU_UTIL is also an average over its sampling window).
const utilSamples: number[][] = Array.from({ length: GPUS }, () => []);
setInterval(() => {
  for (let g = 0; g < GPUS; g++) {
    const n = running.filter((s) => s.gpu === g).length;
    const u = n === 0 ? 0 : Math.min(100, 55 + 15 * n);
    utilSamples[g].push(u);
    if (utilSamples[g].length > 10) utilSamples[g].shift();
  }
}, 100).unref();
const gpuUtil = (g: number) => Math.round(utilSamples[g].reduce((a, b) => a + b, 0) / Math.max(1, utilSamples[g].length));

function admit(): void {
  while (running.length < MAX_RUNNING && waiting.length > 0) waiting.shift()!.start();
}

/** Runs one sequence: queue → prefill → decode; resolves with the generated token count. */
function generate(promptTokens: number, maxTokens: number, onToken: (i: number) => void): Promise<number> {
  return new Promise((resolve) => {
    const seq: Seq = { id: randomUUID(), gpu: nextGpu++ % GPUS, promptTokens, generated: 0, maxTokens, arrivedAt: Date.now() };
    const start = () => {
      running.push(seq);
      const prefillMs = 15 + promptTokens * 0.05;
      setTimeout(() => {
        observeTtft((Date.now() - seq.arrivedAt) / 1000);
        const step = () => {
          seq.generated++;
          generationTokensTotal++;
          onToken(seq.generated - 1);
          if (seq.generated >= seq.maxTokens) {
            running.splice(running.indexOf(seq), 1);
            requestSuccessTotal++;
            admit();
            resolve(seq.generated);
          } else setTimeout(step, MS_PER_TOKEN);
        };
        step();
      }, prefillMs);
    };
    waiting.push({ seq, start });
    admit();
  });
}

const WORDS = "Based on the clinical guideline the recommended next step is to review the patient history and vital signs".split(" ");

async function chat(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let body: { messages?: { content?: unknown }[]; max_tokens?: number; stream?: boolean; model?: string };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    return json(res, 400, { object: "error", message: "invalid JSON", type: "BadRequestError", code: 400 });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return json(res, 400, { object: "error", message: "messages is required", type: "BadRequestError", code: 400 });
  }
  const promptText = body.messages.map((m) => String(m.content ?? "")).join("\n");
  const promptTokens = Math.max(1, Math.ceil(promptText.length / 4));
  const maxTokens = Math.min(512, Math.max(1, Number(body.max_tokens ?? 32) || 32));
  promptTokensTotal += promptTokens;
  const id = `chatcmpl-${randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);
  if (body.stream) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const n = await generate(promptTokens, maxTokens, (i) => {
      res.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: MODEL, choices: [{ index: 0, delta: { content: WORDS[i % WORDS.length] + " " }, finish_reason: null }] })}\n\n`,
      );
    });
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: MODEL, choices: [{ index: 0, delta: {}, finish_reason: n >= maxTokens ? "length" : "stop" }] })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
    return;
  }
  const words: string[] = [];
  const n = await generate(promptTokens, maxTokens, (i) => words.push(WORDS[i % WORDS.length]));
  json(res, 200, {
    id,
    object: "chat.completion",
    created,
    model: MODEL,
    choices: [{ index: 0, message: { role: "assistant", content: words.join(" ") }, finish_reason: "length" }],
    usage: { prompt_tokens: promptTokens, completion_tokens: n, total_tokens: promptTokens + n },
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
function text(res: http.ServerResponse, body: string): void {
  res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function vllmMetrics(): string {
  const l = `model_name="${MODEL}"`;
  const out: string[] = [];
  const gauge = (name: string, help: string, v: number) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{${l}} ${v}`);
  const counter = (name: string, help: string, v: number, extra = "") =>
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}{${l}${extra}} ${v.toFixed(1)}`);
  gauge("vllm:num_requests_running", "Number of requests currently running on GPU.", running.length);
  gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", waiting.length);
  gauge("vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", Number(kvUsage().toFixed(6)));
  gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", Number(kvUsage().toFixed(6)));
  counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.", promptTokensTotal);
  counter("vllm:generation_tokens_total", "Number of generation tokens processed.", generationTokensTotal);
  counter("vllm:request_success_total", "Count of successfully processed requests.", requestSuccessTotal, ',finished_reason="length"');
  out.push("# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.", "# TYPE vllm:time_to_first_token_seconds histogram");
  TTFT_BUCKETS.forEach((b, i) => out.push(`vllm:time_to_first_token_seconds_bucket{le="${b}",${l}} ${ttft.buckets[i].toFixed(1)}`));
  out.push(`vllm:time_to_first_token_seconds_bucket{le="+Inf",${l}} ${ttft.count.toFixed(1)}`);
  out.push(`vllm:time_to_first_token_seconds_count{${l}} ${ttft.count.toFixed(1)}`);
  out.push(`vllm:time_to_first_token_seconds_sum{${l}} ${ttft.sum}`);
  return out.join("\n") + "\n";
}

function dcgmMetrics(): string {
  const out: string[] = [];
  const fam = (name: string, help: string, type: string, v: (g: number) => number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (let g = 0; g < GPUS; g++) {
      const uuid = `GPU-${regionId.replaceAll("_", "")}-lab-0000-0000-00000000000${g}`;
      out.push(
        `${name}{gpu="${g}",UUID="${uuid}",pci_bus_id="00000000:${(0x3b + g).toString(16).toUpperCase()}:00.0",device="nvidia${g}",modelName="NVIDIA L40S",Hostname="${region.inference.name}",DCGM_FI_DRIVER_VERSION="550.90.07"} ${v(g)}`,
      );
    }
  };
  // vLLM preallocates weights + KV pool; the stand-in grows "used" with live KV blocks so the
  // panel shows memory moving with load.
  const used = (g: number) => Math.round(15300 + kvUsage(g) * 24000);
  fam("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", "gauge", gpuUtil);
  fam("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", "gauge", used);
  fam("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", "gauge", (g) => FB_TOTAL_MIB - used(g));
  fam("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", "gauge", (g) => Math.round(38 + gpuUtil(g) * 0.35));
  fam("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", "gauge", (g) => Number((62 + gpuUtil(g) * 2.8).toFixed(3)));
  return out.join("\n") + "\n";
}

const api = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/health") {
    res.writeHead(200, { "content-length": "0" });
    return res.end();
  }
  if (req.method === "GET" && req.url === "/metrics") return text(res, vllmMetrics());
  if (req.method === "GET" && req.url === "/v1/models") {
    return json(res, 200, { object: "list", data: [{ id: MODEL, object: "model", created: 0, owned_by: "vllm", max_model_len: 4096 }] });
  }
  if (req.method === "POST" && req.url === "/v1/chat/completions") {
    chat(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { object: "error", message: String(e) });
    });
    return;
  }
  json(res, 404, { detail: "Not Found" });
});
const dcgm = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/metrics") return text(res, dcgmMetrics());
  res.writeHead(404);
  res.end();
});
const at = region.net.address;
api.listen(region.inference.port, at, () => console.log(`inference stand-in ${regionId} on ${at}:${region.inference.port}`));
dcgm.listen(region.inference.gpuMetricsPort, at, () => console.log(`dcgm stand-in ${regionId} on ${at}:${region.inference.gpuMetricsPort}`));
process.on("SIGTERM", () => {
  api.close();
  dcgm.close();
  setTimeout(() => process.exit(0), 200);
});
