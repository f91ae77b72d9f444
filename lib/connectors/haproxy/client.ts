import "server-only";
// Raw HAProxy runtime API: one command per connection on the stats socket (unix or TCP),
// non-interactive mode (HAProxy answers and closes). Every call has a deadline.
import net from "node:net";
import { ConnectorError, toConnectorError } from "../errors";
import { runtimeError } from "./parse";

export type RuntimeAddress = { socketPath: string } | { host: string; port: number };

export class HaproxyRuntimeClient {
  readonly target: string;

  constructor(
    readonly address: RuntimeAddress,
    readonly timeoutMs = 800,
  ) {
    this.target = "socketPath" in address ? address.socketPath : `${address.host}:${address.port}`;
  }

  /** Sends one command; resolves with HAProxy's full answer. Does not interpret it. */
  raw(command: string, timeoutMs = this.timeoutMs): Promise<string> {
    if (/[\n;]/.test(command)) {
      return Promise.reject(new ConnectorError("haproxy", this.target, "rejected", "one command per call (no newline or ';')", false));
    }
    return new Promise((resolve, reject) => {
      const sock =
        "socketPath" in this.address
          ? net.createConnection({ path: this.address.socketPath })
          : net.createConnection({ host: this.address.host, port: this.address.port });
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (err: ConnectorError | null, text?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(text ?? "");
      };
      const timer = setTimeout(
        () =>
          finish(
            new ConnectorError("haproxy", this.target, "timeout", `"${command.split(" ").slice(0, 2).join(" ")}" got no answer within ${timeoutMs} ms`, true),
          ),
        timeoutMs,
      );
      sock.on("connect", () => sock.end(`${command}\n`));
      sock.on("data", (d) => chunks.push(Buffer.isBuffer(d) ? d : Buffer.from(d)));
      sock.on("error", (e) => finish(toConnectorError("haproxy", this.target, e)));
      sock.on("close", () => finish(null, Buffer.concat(chunks).toString("utf8")));
    });
  }

  /** Sends one command and fails with a `rejected` error when HAProxy answers with an error. */
  async command(command: string, timeoutMs = this.timeoutMs): Promise<string> {
    const answer = await this.raw(command, timeoutMs);
    const err = runtimeError(answer);
    if (err) throw new ConnectorError("haproxy", this.target, "rejected", `${command.split(" ").slice(0, 2).join(" ")}: ${err}`, false);
    return answer;
  }
}
