import "server-only";
// GPU metrics: DCGM exporter over HTTP, or nvidia-smi on this host when that is what exists.
import { execFile } from "node:child_process";
import { ConnectorError, fetchText } from "../errors";
import { NVIDIA_SMI_QUERY, parseDcgm, parseNvidiaSmiCsv } from "./parse";
import type { GpuSample } from "./types";

export type GpuSource = { dcgmUrl: string } | { nvidiaSmi: string };

export class GpuClient {
  constructor(
    readonly source: GpuSource,
    readonly timeoutMs = 800,
  ) {}

  async read(): Promise<GpuSample[]> {
    if ("dcgmUrl" in this.source) return parseDcgm((await fetchText("gpu", this.source.dcgmUrl, this.timeoutMs)).text);
    const bin = this.source.nvidiaSmi;
    const text = await new Promise<string>((resolve, reject) => {
      execFile(bin, [`--query-gpu=${NVIDIA_SMI_QUERY}`, "--format=csv"], { timeout: this.timeoutMs }, (err, stdout) => {
        if (err) {
          const killed = (err as { killed?: boolean }).killed;
          reject(new ConnectorError("gpu", bin, killed ? "timeout" : "unreachable", err.message, true));
        } else resolve(stdout);
      });
    });
    return parseNvidiaSmiCsv(text);
  }
}
