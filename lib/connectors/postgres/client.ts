// Raw PostgreSQL protocol (node-postgres). One lazily opened client per endpoint, dropped after
// any failure; every call has a deadline and fails with a typed ConnectorError.
import pg from "pg";
import { ConnectorError, toConnectorError, withDeadline } from "../errors";
import type { PostgresEndpoint } from "./types";

export class PostgresClient {
  private client: pg.Client | null = null;
  private opening: Promise<pg.Client> | null = null;
  readonly target: string;

  constructor(readonly endpoint: PostgresEndpoint, readonly timeoutMs = 800) {
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
        const r = await c.query({ text: sql, values: params });
        return r.rows as T[];
      });
    } catch (e) {
      const err = toConnectorError("postgres", this.target, e);
      const sqlstate = (e as { code?: string }).code ?? "";
      // SQLSTATE classes other than connection/shutdown ones are answers from a live server
      if (err.code === "protocol" && /^[0-9A-Z]{5}$/.test(sqlstate)) {
        throw new ConnectorError("postgres", this.target, "rejected", `${sqlstate}: ${err.message}`, sqlstate.startsWith("40"));
      }
      this.drop();
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
