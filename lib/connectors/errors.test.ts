import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectorError, fetchText, isClosedConnection } from "./errors";

// A real HTTP server on loopback that drops the connection under some requests without an answer:
// what a client meets when it sends on a keep-alive connection the server closed while it sat idle.

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** `drop(n)` says whether to cut the n-th request's connection instead of answering. */
async function serve(drop: (n: number) => boolean) {
  let n = 0;
  const log: { n: number; method: string; dropped: boolean }[] = [];
  server = createServer((req, res) => {
    n++;
    const dropped = drop(n);
    log.push({ n, method: req.method ?? "", dropped });
    if (dropped) return void req.socket.destroy();
    res.end(`answer ${n}`);
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/metrics`;
  return { url, log };
}

describe("closed pooled connections", () => {
  it("a GET whose connection the server closed is sent once more on a new connection and answered", async () => {
    const { url, log } = await serve((n) => n === 2);
    expect((await fetchText("vllm", url, 2000)).text).toBe("answer 1");
    // The server cuts the second GET's connection without an answer: it is re-sent on a new one.
    expect((await fetchText("vllm", url, 2000)).text).toBe("answer 3");
    expect(log.map((l) => [l.method, l.dropped])).toEqual([
      ["GET", false],
      ["GET", true],
      ["GET", false],
    ]);
  });

  it("a server that cuts every connection is still reported, after exactly one more attempt", async () => {
    const { url, log } = await serve(() => true);
    const e = await fetchText("s3", url, 2000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorError);
    expect((e as ConnectorError).system).toBe("s3");
    expect(log).toHaveLength(2);
  });

  it("a POST is never sent twice", async () => {
    const { url, log } = await serve(() => true);
    await expect(fetchText("vllm", url, 2000, { method: "POST", body: "{}" })).rejects.toBeInstanceOf(ConnectorError);
    expect(log).toEqual([{ n: 1, method: "POST", dropped: true }]);
  });

  it("tells a closed connection from other failures", () => {
    expect(isClosedConnection(Object.assign(new TypeError("fetch failed"), { cause: { code: "UND_ERR_SOCKET", message: "other side closed" } }))).toBe(true);
    expect(isClosedConnection({ code: "ECONNRESET" })).toBe(true);
    expect(isClosedConnection(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }))).toBe(false);
    expect(isClosedConnection(new Error("timeout"))).toBe(false);
  });
});
