import { createLabFederation } from "@/lib/federation/lab/index";
const f = await createLabFederation({
  regions: [
    { id: "kl_dc_1", name: "KL DC" },
    { id: "cyberjaya_1", name: "Cyberjaya" },
  ],
});
const t0 = Date.now();
const h = await f.readHealth();
console.log("took", Date.now() - t0, "ms");
for (const r of h) {
  console.log(r.regionId, r.status, r.reasons, r.figures, r.markedDown);
  for (const c of r.components) console.log("  ", c.kind, c.name, c.status, c.reason, c.figures.map((f) => `${f.key}=${f.value}`).join(" "));
}
console.log(await f.readRoutes());
await f.close();
