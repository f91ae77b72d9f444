import "server-only";
// Raw MariaDB protocol (mysql2). One lazily opened connection per endpoint, re-opened after any
// failure; every call has a deadline and fails with a typed ConnectorError.
import mysql from "mysql2/promise";
import { ConnectorError, toConnectorError, withDeadline } from "../errors";
import type { MariadbEndpoint } from "./types";

export class MariadbClient {
  private conn: mysql.Connection | null = null;
  private opening: Promise<mysql.Connection> | null = null;
  readonly target: string;

  constructor(
    readonly endpoint: MariadbEndpoint,
    readonly timeoutMs = 800,
  ) {
    this.target = `${endpoint.host}:${endpoint.port}`;
  }

  private async connection(): Promise<mysql.Connection> {
    if (this.conn) return this.conn;
    this.opening ??= mysql
      .createConnection({
        host: this.endpoint.host,
        port: this.endpoint.port,
        user: this.endpoint.user,
        password: this.endpoint.password,
        database: this.endpoint.database,
        connectTimeout: this.timeoutMs,
        dateStrings: true,
        supportBigNumbers: true,
        multipleStatements: false,
      })
      .then((c) => {
        c.on("error", () => this.drop());
        this.conn = c;
        return c;
      })
      .finally(() => {
        this.opening = null;
      });
    return this.opening;
  }

  private drop(): void {
    const c = this.conn;
    this.conn = null;
    c?.destroy();
  }

  /** Runs one statement; rows come back as plain objects. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], timeoutMs = this.timeoutMs): Promise<T[]> {
    try {
      return await withDeadline("mariadb", this.target, timeoutMs, async () => {
        const c = await this.connection();
        try {
          const [rows] = await c.query({ sql, timeout: timeoutMs }, params);
          return (Array.isArray(rows) ? rows : []) as T[];
        } catch (raw) {
          // Server errors (ER_*) are answers from a live server, not transport failures.
          const code = (raw as { code?: string }).code ?? "";
          if (code.startsWith("ER_") && code !== "ER_ACCESS_DENIED_ERROR") {
            throw new ConnectorError("mariadb", this.target, "rejected", `${code}: ${(raw as Error).message}`, false);
          }
          throw raw;
        }
      });
    } catch (e) {
      const err = e instanceof ConnectorError ? e : toConnectorError("mariadb", this.target, e);
      // a timed-out or broken connection may be mid-statement: never reuse it
      if (err.code !== "rejected") this.drop();
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    await c?.end().catch(() => c.destroy());
  }
}
