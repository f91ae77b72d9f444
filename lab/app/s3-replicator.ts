// Stand-in for MinIO bucket replication (active-active, both ways) between the regions' object
// stores. Every replicatorIntervalMs it lists each bucket on every endpoint and copies objects
// that are missing or older on the other side (newest LastModified wins on a conflict).
// Exposes the backlog with MinIO's metric names at GET /metrics, JSON at GET /status,
// and POST /pause | /resume for drills (a replication stall).
import http from "node:http";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type _Object } from "@aws-sdk/client-s3";
import { loadLabConfig, regionAddress } from "../../lib/federation/lab/config";

const cfg = loadLabConfig();
// The replicator runs in one region's namespace: it reaches that region's store on its own
// address and every other region's over the inter-region link, as replication traffic does.
const home = cfg.s3.replicatorRegion;
const clients = new Map(
  cfg.regions.map((r) => [
    r.id,
    new S3Client({
      endpoint: `http://${r.id === home ? r.net.address : r.net.interAddress}:${r.s3.port}`,
      region: "us-east-1",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: cfg.s3.accessKeyId, secretAccessKey: cfg.s3.secretAccessKey },
    }),
  ]),
);

type Key = `${string}|${string}|${string}`; // bucket|source|target
const pending = new Map<Key, number>();
const failed = new Map<Key, number>();
const sentBytes = new Map<Key, number>();
const copied = new Map<Key, number>();
const lastError = new Map<string, string>();
let paused = false;
let lastScanAt = 0;
let scans = 0;

async function listAll(region: string, bucket: string): Promise<Map<string, _Object>> {
  const out = new Map<string, _Object>();
  let token: string | undefined;
  do {
    const r = await clients
      .get(region)!
      .send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }), { abortSignal: AbortSignal.timeout(2000) });
    for (const o of r.Contents ?? []) if (o.Key) out.set(o.Key, o);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

function needsCopy(src: _Object, dst: _Object | undefined): boolean {
  if (!dst) return true;
  if (src.ETag === dst.ETag) return false;
  return (src.LastModified?.getTime() ?? 0) > (dst.LastModified?.getTime() ?? 0);
}

async function copy(bucket: string, from: string, to: string, key: string): Promise<number> {
  const got = await clients.get(from)!.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: AbortSignal.timeout(3000) });
  const body = Buffer.from(await got.Body!.transformToByteArray());
  await clients.get(to)!.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: got.ContentType,
      Metadata: got.Metadata,
    }),
    { abortSignal: AbortSignal.timeout(3000) },
  );
  return body.length;
}

async function scan(): Promise<void> {
  const regions = cfg.regions.map((r) => r.id);
  for (const bucket of cfg.s3.buckets) {
    const listings = new Map<string, Map<string, _Object>>();
    for (const r of regions) {
      try {
        listings.set(r, await listAll(r, bucket));
        lastError.delete(r);
      } catch (e) {
        lastError.set(r, (e as Error).message);
      }
    }
    for (const from of regions)
      for (const to of regions) {
        if (from === to) continue;
        const k: Key = `${bucket}|${from}|${to}`;
        const src = listings.get(from);
        const dst = listings.get(to);
        if (!src || !dst) continue; // an endpoint is down: its backlog keeps the last known value
        const todo = [...src.values()].filter((o) => needsCopy(o, dst.get(o.Key!)));
        pending.set(k, todo.length);
        if (paused) continue;
        for (const o of todo) {
          try {
            const n = await copy(bucket, from, to, o.Key!);
            sentBytes.set(k, (sentBytes.get(k) ?? 0) + n);
            copied.set(k, (copied.get(k) ?? 0) + 1);
            pending.set(k, Math.max(0, (pending.get(k) ?? 1) - 1));
          } catch (e) {
            failed.set(k, (failed.get(k) ?? 0) + 1);
            lastError.set(to, (e as Error).message);
          }
        }
      }
  }
  lastScanAt = Date.now();
  scans++;
}

function metrics(): string {
  const lines: string[] = [];
  const family = (name: string, help: string, type: string, m: Map<Key, number>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [k, v] of m) {
      const [bucket, source, target] = k.split("|");
      lines.push(`${name}{bucket="${bucket}",source="${source}",target="${target}"} ${v}`);
    }
  };
  family("minio_bucket_replication_pending_count", "Objects pending replication (lab stand-in)", "gauge", pending);
  family("minio_bucket_replication_failed_count", "Objects that failed to replicate (lab stand-in)", "counter", failed);
  family("minio_bucket_replication_sent_bytes", "Bytes replicated (lab stand-in)", "counter", sentBytes);
  family("minio_bucket_replication_sent_count", "Objects replicated (lab stand-in)", "counter", copied);
  lines.push(
    "# HELP lab_replicator_paused 1 when replication is paused for a drill",
    "# TYPE lab_replicator_paused gauge",
    `lab_replicator_paused ${paused ? 1 : 0}`,
  );
  lines.push(
    "# HELP lab_replicator_last_scan_timestamp_seconds End of the last scan",
    "# TYPE lab_replicator_last_scan_timestamp_seconds gauge",
    `lab_replicator_last_scan_timestamp_seconds ${(lastScanAt / 1000).toFixed(3)}`,
  );
  return lines.join("\n") + "\n";
}

const server = http.createServer((req, res) => {
  const reply = (status: number, type: string, body: string) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  if (req.method === "GET" && req.url === "/metrics") return reply(200, "text/plain; version=0.0.4", metrics());
  if (req.method === "GET" && (req.url === "/health" || req.url === "/status")) {
    return reply(
      200,
      "application/json",
      JSON.stringify({
        paused,
        scans,
        lastScanAt,
        errors: Object.fromEntries(lastError),
        pending: Object.fromEntries(pending),
      }),
    );
  }
  if (req.method === "POST" && (req.url === "/pause" || req.url === "/resume")) {
    paused = req.url === "/pause";
    return reply(200, "application/json", JSON.stringify({ paused }));
  }
  reply(404, "text/plain", "not found\n");
});
const at = regionAddress(cfg, home);
server.listen(cfg.s3.replicatorPort, at, () => console.log(`s3 replicator on ${at}:${cfg.s3.replicatorPort}`));

let stopping = false;
const tick = async (): Promise<void> => {
  const t = Date.now();
  await scan().catch((e: unknown) => lastError.set("scan", (e as Error).message));
  if (!stopping) setTimeout(() => void tick(), Math.max(0, cfg.s3.replicatorIntervalMs - (Date.now() - t)));
};
void tick();
process.on("SIGTERM", () => {
  stopping = true;
  server.close();
  setTimeout(() => process.exit(0), 200);
});
