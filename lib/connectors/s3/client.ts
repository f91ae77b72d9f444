import "server-only";
// Raw S3 API (AWS SDK v3) plus MinIO's health endpoint, each call with a deadline and typed errors.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ConnectorError, fetchText, retryClosedConnection, withDeadline } from "../errors";
import type { S3Endpoint } from "./types";

export class ObjectStoreClient {
  readonly s3: S3Client;

  constructor(
    readonly endpoint: S3Endpoint,
    readonly timeoutMs = 800,
  ) {
    this.s3 = new S3Client({
      endpoint: endpoint.url,
      region: "us-east-1",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    });
  }

  /** MinIO liveness (GET /minio/health/live → 200). */
  async live(): Promise<void> {
    await fetchText("s3", `${this.endpoint.url}/minio/health/live`, this.timeoutMs);
  }

  /** Object body as text; null when the object does not exist. */
  async getText(bucket: string, key: string): Promise<string | null> {
    return withDeadline("s3", this.endpoint.url, this.timeoutMs, async (signal) => {
      try {
        return await retryClosedConnection(signal, async () => {
          const r = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return (await r.Body?.transformToString("utf8")) ?? "";
        });
      } catch (e) {
        // "no such object" is an answer (null), not a failure
        const name = (e as { name?: string }).name;
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (name === "NoSuchKey" || status === 404) return null;
        if (status !== undefined)
          throw new ConnectorError("s3", this.endpoint.url, status >= 500 ? "protocol" : "rejected", `${name ?? "S3 error"} (HTTP ${status})`, status >= 500);
        throw e;
      }
    });
  }

  close(): void {
    this.s3.destroy();
  }
}
