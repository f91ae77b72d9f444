import { createServer } from "node:http";
import next from "next";
import { env } from "@/lib/env";
import { buildRuntime, shutdownRuntime } from "@/server/runtime";
import { attachRealtime } from "@/lib/realtime/server";
import { jsonMethodNotAllowed, refuseMalformedApiPath } from "@/lib/http/security";
import { PEER_HEADER } from "@/lib/auth/sign-in";

// One process, one port: Next.js (pages, actions, routes) and socket.io on the same HTTP server.
// The database and federation are opened before the port is, so no request meets a cold start.
async function main() {
  const e = env();
  const t0 = Date.now();
  const rt = await buildRuntime(e);
  const dev = e.NODE_ENV !== "production";
  const app = next({ dev, hostname: e.HOST, port: e.PORT, turbopack: dev });
  await app.prepare();
  const handle = app.getRequestHandler();

  const http = createServer((req, res) => {
    if (refuseMalformedApiPath(req, res)) return; // JSON 400 for a raw /api path Next would misroute
    jsonMethodNotAllowed(req, res); // Next's empty 405 becomes the API's JSON error
    // A2: the client's address as this server saw it (sign-in throttling per address). Whatever a
    // client sent under that name is dropped; forwarded headers are never trusted.
    delete req.headers[PEER_HEADER];
    const peer = req.socket.remoteAddress;
    if (peer) req.headers[PEER_HEADER] = peer;
    void handle(req, res);
  });
  const io = attachRealtime(http, rt);
  await new Promise<void>((resolve) => http.listen(e.PORT, e.HOST, resolve));
  console.log(
    `Federation Console ready at http://localhost:${e.PORT} (${e.FEDERATION_MODE} federation, ${rt.database.kind} database, ${dev ? "dev" : "production"}) in ${Date.now() - t0} ms`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    io.close();
    http.close();
    await shutdownRuntime(rt).catch((err) => console.error(err));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
