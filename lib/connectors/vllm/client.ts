import "server-only";
// Raw vLLM HTTP: /health (200 = engine alive) and /metrics (Prometheus text).
import { fetchText } from "../errors";

export class VllmClient {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs = 800,
  ) {}

  async health(): Promise<void> {
    await fetchText("vllm", `${this.baseUrl}/health`, this.timeoutMs);
  }

  async metricsText(): Promise<string> {
    return (await fetchText("vllm", `${this.baseUrl}/metrics`, this.timeoutMs)).text;
  }
}
