// Object store stand-in for one region: s3rver (S3 API, filesystem-backed) because a MinIO server
// is not installable here. It also answers MinIO's real health paths (/minio/health/live and
// /minio/health/ready), so the console's S3 connector works unchanged against MinIO.
// Usage: node --import tsx lab/app/s3.ts <regionId>
import http from "node:http";
import { mkdirSync } from "node:fs";
import path from "node:path";
import S3rver from "s3rver";
import { labPath, loadLabConfig, regionOrThrow } from "../../lib/federation/lab/config";

const cfg = loadLabConfig();
const regionId = process.argv[2] ?? "";
const region = regionOrThrow(cfg, regionId);
const directory = path.join(labPath(cfg.dataDir), "s3", regionId);
mkdirSync(directory, { recursive: true });

const s3 = new S3rver({
  directory,
  silent: true,
  configureBuckets: cfg.s3.buckets.map((name) => ({ name, configs: [] })),
  allowMismatchedSignatures: true,
  vhostBuckets: false,
});
// run() would listen by itself; we only need its buckets configured and its request handler.
await s3.configureBuckets();
const handler = s3.callback();

const serve: http.RequestListener = (req, res) => {
  if (req.url === "/minio/health/live" || req.url === "/minio/health/ready") {
    res.writeHead(200, { "content-length": "0", "x-lab-standin": "s3rver" });
    return res.end();
  }
  handler(req, res);
};
// On the uplink (the console, the region's app) and on the inter-region link (the replicator,
// which runs in another region's namespace).
const servers = [region.net.address, region.net.interAddress].map((at) =>
  http.createServer(serve).listen(region.s3.port, at, () => console.log(`s3 stand-in ${regionId} on ${at}:${region.s3.port} (${directory})`)),
);
process.on("SIGTERM", () => {
  for (const s of servers) s.close();
  setTimeout(() => process.exit(0), 200);
});
