export interface S3Endpoint {
  name: string;
  /** e.g. http://127.0.0.1:17901 (MinIO or the lab's s3rver stand-in) */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Canary {
  region: string;
  /** epoch ms when the source region wrote it */
  ts: number;
  seq: number;
}

export interface ReplicationBacklog {
  bucket: string;
  source: string;
  target: string;
  pending: number;
  failed: number;
}
