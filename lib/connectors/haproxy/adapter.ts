import "server-only";
// What the console needs from HAProxy: stats, server states, routing map changes (runtime API
// and map file together, so a reload keeps them), and per-region router health.
import { rename, writeFile } from "node:fs/promises";
import type { ComponentHealth, Figure } from "@/lib/federation/types";
import { ConnectorError } from "../errors";
import { HaproxyRuntimeClient, type RuntimeAddress } from "./client";
import { duplicateKeys, formatMapFile, mapToRecord, parseGetMap, parseMapEntries, parsePrepareMap, parseServersState, parseShowStat } from "./parse";
import type { AdminState, ServerState, StatRow } from "./types";

export interface HaproxyRouterOptions {
  runtime: RuntimeAddress;
  /** map identifier as HAProxy knows it: the map file path from the config */
  mapName: string;
  /** where to persist the map; null when the file is not on this machine */
  mapFile: string | null;
  timeoutMs?: number;
}

export class HaproxyRouter {
  readonly client: HaproxyRuntimeClient;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly opts: HaproxyRouterOptions) {
    this.client = new HaproxyRuntimeClient(opts.runtime, opts.timeoutMs ?? 800);
  }

  async stats(): Promise<StatRow[]> {
    return parseShowStat(await this.client.command("show stat"));
  }

  async serversState(): Promise<ServerState[]> {
    return parseServersState(await this.client.command("show servers state"));
  }

  async backends(): Promise<string[]> {
    return (await this.stats()).filter((r) => r.type === "backend").map((r) => r.proxy);
  }

  /** tenant → backend, as HAProxy resolves it now. */
  async routes(): Promise<Record<string, string>> {
    return mapToRecord(parseMapEntries(await this.client.command(`show map ${this.opts.mapName}`)));
  }

  async getRoute(tenant: string): Promise<string | null> {
    const r = parseGetMap(await this.client.command(`get map ${this.opts.mapName} ${tenant}`));
    return r.found ? r.value : null;
  }

  /** Map changes run one at a time: each ends by writing the file from the runtime state. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  private async assertBackends(values: Iterable<string>): Promise<void> {
    // A map value naming a missing backend silently falls to the default backend: refuse it.
    const known = new Set(await this.backends());
    for (const v of values) {
      if (!known.has(v))
        throw new ConnectorError("haproxy", this.client.target, "rejected", `no backend named "${v}" (known: ${[...known].join(", ")})`, false);
    }
  }

  private static checkKey(tenant: string): void {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(tenant)) throw new ConnectorError("haproxy", "map", "rejected", `invalid tenant key "${tenant}"`, false);
  }

  /** Routes one tenant: `set map` when present (never `add map`, which would shadow), else `add map`. */
  setRoute(tenant: string, backend: string): Promise<void> {
    HaproxyRouter.checkKey(tenant);
    return this.serial(async () => {
      await this.assertBackends([backend]);
      const current = await this.getRoute(tenant);
      if (current === null) await this.client.command(`add map ${this.opts.mapName} ${tenant} ${backend}`);
      else if (current !== backend) await this.client.command(`set map ${this.opts.mapName} ${tenant} ${backend}`);
      const now = await this.getRoute(tenant);
      if (now !== backend)
        throw new ConnectorError("haproxy", this.client.target, "protocol", `map still sends ${tenant} to ${now ?? "default"} after the change`, true);
      await this.persist();
    });
  }

  /** Replaces the whole map atomically: prepare a new version, fill it, commit it. */
  replaceRoutes(routes: Record<string, string>): Promise<void> {
    for (const t of Object.keys(routes)) HaproxyRouter.checkKey(t);
    return this.serial(async () => {
      await this.assertBackends(new Set(Object.values(routes)));
      const ver = parsePrepareMap(await this.client.command(`prepare map ${this.opts.mapName}`));
      for (const [t, b] of Object.entries(routes)) await this.client.command(`add map @${ver} ${this.opts.mapName} ${t} ${b}`);
      await this.client.command(`commit map @${ver} ${this.opts.mapName}`);
      await this.persist();
    });
  }

  /** Writes the runtime map to the map file (tmp + rename: a reload never reads half a file). */
  private async persist(): Promise<void> {
    if (!this.opts.mapFile) return;
    const entries = parseMapEntries(await this.client.command(`show map ${this.opts.mapName}`));
    const dups = duplicateKeys(entries);
    if (dups.length) throw new ConnectorError("haproxy", this.client.target, "protocol", `map has duplicate keys ${dups.join(", ")}`, false);
    const tmp = `${this.opts.mapFile}.tmp-${process.pid}`;
    await writeFile(tmp, formatMapFile(mapToRecord(entries), "written by the federation console; HAProxy loads it at start"));
    await rename(tmp, this.opts.mapFile);
  }

  async setServerState(backend: string, server: string, state: AdminState): Promise<void> {
    await this.client.command(`set server ${backend}/${server} state ${state}`);
  }
}

export interface RouterRegionView {
  backend: string;
  /** the region's own app server inside its backend */
  server: string;
  /** every (backend, server) pair that points at this region's app (the lab has one: no backup servers) */
  serverRefs: { backend: string; server: string }[];
}

/** Router health of one region, from `show stat` and the map. */
export function routerComponent(
  name: string,
  view: RouterRegionView,
  stats: StatRow[],
  states: ServerState[],
  routes: Record<string, string>,
  measuredAt: number,
): { health: ComponentHealth; requestsPerSec: number | null; tenantsServed: number; markedDown: boolean } {
  const be = stats.find((r) => r.proxy === view.backend && r.type === "backend");
  const srv = stats.find((r) => r.proxy === view.backend && r.server === view.server);
  const st = states.find((s) => s.backend === view.backend && s.server === view.server);
  const tenantsServed = Object.values(routes).filter((b) => b === view.backend).length;
  const markedDown =
    view.serverRefs.length > 0 && view.serverRefs.every((ref) => states.find((s) => s.backend === ref.backend && s.server === ref.server)?.maint);
  const figures: Figure[] = [
    { key: "requests_per_sec", label: "Requests/s", value: be ? be.rate : null, unit: "req/s" },
    { key: "tenants_routed", label: "Tenants routed here", value: tenantsServed, unit: "" },
    { key: "sessions", label: "Current sessions", value: be ? be.currentSessions : null, unit: "sessions" },
  ];
  let status: ComponentHealth["status"] = "up";
  let reason: string | null = null;
  if (!be || !srv) {
    status = "down";
    reason = `backend ${view.backend} or server ${view.server} missing from HAProxy`;
  } else if (st?.maint || srv.status.startsWith("MAINT")) {
    status = "down";
    reason = `app server ${view.server} in maintenance in HAProxy (marked down by an admin)`;
  } else if (srv.status.startsWith("DOWN")) {
    status = "down";
    const check = srv.checkStatus ? ` (${describeCheck(srv.checkStatus)}${srv.lastCheck ? `: ${srv.lastCheck}` : ""})` : "";
    reason = `app server ${view.server} DOWN in HAProxy${check}`;
  } else if (srv.status.startsWith("DRAIN") || st?.drain) {
    status = "degraded";
    reason = `app server ${view.server} draining in HAProxy`;
  } else if (/^UP \d+\/\d+/.test(srv.status) || /^DOWN \d+\/\d+/.test(srv.status)) {
    status = "degraded";
    reason = `app server ${view.server} health check failing (${srv.status}${srv.checkStatus ? `, ${describeCheck(srv.checkStatus)}` : ""})`;
  }
  return {
    health: { kind: "router", name, status, reason, figures, measuredAt },
    requestsPerSec: be ? be.rate : null,
    tenantsServed,
    markedDown,
  };
}

const CHECK_TEXT: Record<string, string> = {
  L4OK: "L4 ok",
  L4TOUT: "L4 timeout",
  L4CON: "connection refused",
  L6OK: "L6 ok",
  L6TOUT: "L6 timeout",
  L6RSP: "bad L6 response",
  L7OK: "L7 ok",
  L7OKC: "L7 ok (conditional)",
  L7TOUT: "L7 timeout",
  L7RSP: "bad L7 response",
  L7STS: "HTTP status error",
  SOCKERR: "socket error",
};
export function describeCheck(code: string): string {
  const base = code.replace(/^\*/, "");
  return CHECK_TEXT[base] ? `${base} ${CHECK_TEXT[base]}` : base;
}
