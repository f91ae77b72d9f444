import "server-only";
// Raw PostgreSQL protocol (node-postgres). One lazily opened client per endpoint, dropped after
// any failure; every call has a deadline and fails with a typed ConnectorError.
import pg from "pg";
import { ConnectorError, toConnectorError, withDeadline } from "../errors";
import type { PostgresEndpoint } from "./types";

export class PostgresClient {
  private client: pg.Client | null = null;
  private opening: Promise<pg.Client> | null = null;
  readonly target: string;

  constructor(
    readonly endpoint: PostgresEndpoint,
    readonly timeoutMs = 800,
  ) {
    this.target = `${endpoint.host}:${endpoint.port}`;
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.opening ??= (async () => {
      const c = new pg.Client({
        host: this.endpoint.host,
        port: this.endpoint.port,
        user: this.endpoint.user,
        password: this.endpoint.password,
        database: this.endpoint.database,
        connectionTimeoutMillis: this.timeoutMs,
        application_name: "federation-console",
      });
      c.on("error", () => this.drop());
      try {
        await c.connect();
      } catch (e) {
        void c.end().catch(() => {});
        throw e;
      }
      this.client = c;
      return c;
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private drop(): void {
    const c = this.client;
    this.client = null;
    void c?.end().catch(() => {});
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], timeoutMs = this.timeoutMs): Promise<T[]> {
    try {
      return await withDeadline("postgres", this.target, timeoutMs, async () => {
        const c = await this.connection();
        try {
          const r = await c.query({ text: sql, values: params });
          return r.rows as T[];
        } catch (raw) {
          // SQLSTATEs other than auth/connection/shutdown classes are answers from a live server
          const sqlstate = (raw as { code?: string }).code ?? "";
          if (/^[0-9A-Z]{5}$/.test(sqlstate) && !/^(08|28|57P)/.test(sqlstate)) {
            // 40xxx (serialization failure, deadlock) may succeed when retried
            throw new ConnectorError("postgres", this.target, "rejected", `${sqlstate}: ${(raw as Error).message}`, sqlstate.startsWith("40"));
          }
          throw raw;
        }
      });
    } catch (e) {
      const err = toConnectorError("postgres", this.target, e);
      if (err.code !== "rejected") this.drop();
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
