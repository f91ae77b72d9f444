import { describe, expect, it } from "vitest";
import { fixture } from "../fixture";
import { meanUtil, parseDcgm, parseNvidiaSmiCsv } from "./parse";

describe("DCGM exporter text", () => {
  it("reads four L40S under load", () => {
    const g = parseDcgm(fixture("gpu", "dcgm-busy.txt"));
    expect(g.map((x) => x.gpu)).toEqual(["0", "1", "2", "3"]);
    expect(g.every((x) => x.modelName === "NVIDIA L40S")).toBe(true);
    expect(g.every((x) => (x.utilPct ?? 0) > 0)).toBe(true);
    expect(g[0].fbUsedMiB! + g[0].fbFreeMiB!).toBe(46068);
    expect(meanUtil(g)).toBe(70);
  });
  it("reads idle GPUs", () => {
    const g = parseDcgm(fixture("gpu", "dcgm-idle.txt"));
    expect(meanUtil(g)).toBe(0);
  });
});

describe("nvidia-smi CSV", () => {
  it("parses the query output, units and N/A", () => {
    const text = [
      "index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.free [MiB]",
      "0, GPU-1a2b, NVIDIA L40S, 87 %, 40210 MiB, 5858 MiB",
      "1, GPU-3c4d, NVIDIA L40S, [N/A], 512 MiB, 45556 MiB",
    ].join("\n");
    const g = parseNvidiaSmiCsv(text);
    expect(g[0]).toEqual({ gpu: "0", uuid: "GPU-1a2b", modelName: "NVIDIA L40S", utilPct: 87, fbUsedMiB: 40210, fbFreeMiB: 5858 });
    expect(g[1].utilPct).toBeNull();
    expect(meanUtil(g)).toBe(87);
    expect(meanUtil([])).toBeNull();
  });
});
