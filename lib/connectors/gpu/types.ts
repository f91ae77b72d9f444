export interface GpuSample {
  gpu: string;
  uuid: string | null;
  modelName: string | null;
  utilPct: number | null;
  fbUsedMiB: number | null;
  fbFreeMiB: number | null;
}
