import "server-only";
import type { Federation, RegionRef } from "./types";
import { SimFederation } from "./sim/sim-federation";

export type FederationMode = "sim" | "lab";

/** Picks the implementation named by FEDERATION_MODE. */
export async function createFederation(mode: FederationMode, regions: RegionRef[], opts: { seed?: number } = {}): Promise<Federation> {
  switch (mode) {
    case "sim":
      return new SimFederation({ regions, seed: opts.seed });
    case "lab": {
      const { createLabFederation } = await import("./lab/index");
      return createLabFederation({ regions });
    }
  }
}
