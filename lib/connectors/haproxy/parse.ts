// Pure parsers for HAProxy runtime API (stats socket) answers, HAProxy 2.x formats.
import type { GetMapResult, MapEntry, MapInfo, ServerState, StatRow } from "./types";

const TYPES: StatRow["type"][] = ["frontend", "backend", "server", "listener"];

function int(v: string | undefined): number | null {
  if (v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Answers that mean "the command failed" (HAProxy prints them instead of data). */
const ERROR_PATTERNS = [
  /^Unknown command/m,
  /^No such (backend|server|map|proxy)/im,
  /^Unknown map identifier/m,
  /^entry not found/m,
  /^Require 'backend\/server'/m,
  /^'set server .*' expects/m,
  /^Permission denied/m,
  /^Missing .*/m,
  /^Unknown version/m,
];

/** null when the answer is not an error; else the error text. */
export function runtimeError(answer: string): string | null {
  const text = answer.trim();
  for (const p of ERROR_PATTERNS) if (p.test(text)) return text.split("\n")[0];
  return null;
}

/** `show stat` CSV: header line starts with "# ", one row per proxy/server. */
export function parseShowStat(csv: string): StatRow[] {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0 || !lines[0].startsWith("# ")) throw new Error("show stat: missing CSV header");
  const cols = lines[0].slice(2).split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    const raw: Record<string, string> = {};
    cols.forEach((c, i) => {
      if (c) raw[c] = cells[i] ?? "";
    });
    const type = TYPES[Number(raw.type)] ?? "server";
    return {
      proxy: raw.pxname,
      server: raw.svname,
      type,
      status: raw.status,
      weight: int(raw.weight),
      active: raw.act === "1",
      backup: raw.bck === "1",
      checkStatus: raw.check_status || null,
      checkCode: int(raw.check_code),
      checkDesc: raw.check_desc || null,
      lastCheck: raw.last_chk || null,
      currentSessions: int(raw.scur) ?? 0,
      totalSessions: int(raw.stot) ?? 0,
      rate: int(raw.rate) ?? 0,
      reqRate: int(raw.req_rate),
      reqTotal: int(raw.req_tot),
      downtimeS: int(raw.downtime),
      lastChangeS: int(raw.lastchg),
      raw,
    };
  });
}

/** `show servers state` (format version 1). */
export function parseServersState(text: string): ServerState[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines[0] !== "1") throw new Error(`show servers state: unsupported format version "${lines[0] ?? ""}"`);
  const header = lines[1]?.replace(/^#\s*/, "").split(/\s+/) ?? [];
  return lines
    .slice(2)
    .filter((l) => !l.startsWith("#"))
    .map((l) => {
      const f = l.split(/\s+/);
      const v: Record<string, string> = {};
      header.forEach((h, i) => (v[h] = f[i] ?? ""));
      const admin = Number(v.srv_admin_state);
      return {
        backendId: Number(v.be_id),
        backend: v.be_name,
        serverId: Number(v.srv_id),
        server: v.srv_name,
        address: v.srv_addr,
        port: Number(v.srv_port),
        opState: Number(v.srv_op_state),
        adminState: admin,
        maint: (admin & 0x01) !== 0 || (admin & 0x02) !== 0 || (admin & 0x04) !== 0 || (admin & 0x20) !== 0,
        drain: (admin & 0x08) !== 0 || (admin & 0x10) !== 0,
        checkHealth: Number(v.srv_check_health),
        secondsSinceChange: Number(v.srv_time_since_last_change),
      };
    });
}

/** `show map` without argument: the list of loaded maps. */
export function parseMapList(text: string): MapInfo[] {
  const out: MapInfo[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+)\s+\(([^)]*)\)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const desc = m[3];
    out.push({
      id: Number(m[1]),
      file: m[2] || null,
      description: desc,
      currentVersion: int(/curr_ver=(\d+)/.exec(desc)?.[1]),
      nextVersion: int(/next_ver=(\d+)/.exec(desc)?.[1]),
      entries: int(/entry_cnt=(\d+)/.exec(desc)?.[1]),
    });
  }
  return out;
}

/** `show map <map>` or `show map @<ver> <map>`: "<ref> <key> <value>" lines. */
export function parseMapEntries(text: string): MapEntry[] {
  const err = runtimeError(text);
  if (err) throw new Error(`show map: ${err}`);
  const out: MapEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(0x[0-9a-f]+)\s+(\S+)\s+(.*)$/i.exec(line.trim());
    if (m) out.push({ ref: m[1], key: m[2], value: m[3].trim() });
  }
  return out;
}

/**
 * Entries → key → value, the way HAProxy resolves a lookup: the first entry of a duplicated key
 * wins (`add map` on an existing key adds a shadowed duplicate).
 */
export function mapToRecord(entries: MapEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) if (!(e.key in out)) out[e.key] = e.value;
  return out;
}

/** Keys present more than once (a sign someone used `add map` for an update). */
export function duplicateKeys(entries: MapEntry[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const e of entries) (seen.has(e.key) ? dup : seen).add(e.key);
  return [...dup];
}

/** `get map <map> <key>` answer. */
export function parseGetMap(text: string): GetMapResult {
  const t = text.trim();
  const found = /found=yes/.test(t);
  if (!found) {
    if (!/found=no/.test(t)) throw new Error(`get map: unexpected answer "${t.split("\n")[0]}"`);
    return { found: false, key: null, value: null };
  }
  return { found: true, key: /key="([^"]*)"/.exec(t)?.[1] ?? null, value: /value="([^"]*)"/.exec(t)?.[1] ?? null };
}

/** `prepare map <map>` → the new version number. */
export function parsePrepareMap(text: string): number {
  const m = /New version created:\s*(\d+)/.exec(text);
  if (!m) throw new Error(`prepare map: unexpected answer "${text.trim()}"`);
  return Number(m[1]);
}

/** Map file text (what HAProxy loads at start): "key value" per line, # comments. */
export function formatMapFile(routes: Record<string, string>, header?: string): string {
  const lines = Object.keys(routes)
    .sort()
    .map((k) => `${k} ${routes[k]}`);
  return (header ? `# ${header}\n` : "") + lines.join("\n") + (lines.length ? "\n" : "");
}

export function parseMapFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [k, ...v] = line.split(/\s+/);
    if (!(k in out)) out[k] = v.join(" ");
  }
  return out;
}
