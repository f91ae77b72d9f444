/** One row of `show stat` (selected columns, typed). */
export interface StatRow {
  proxy: string;
  server: string; // FRONTEND | BACKEND | server name
  type: "frontend" | "backend" | "server" | "listener";
  /** UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/2", "DOWN 1/2", OPEN, no check … */
  status: string;
  weight: number | null;
  active: boolean;
  backup: boolean;
  checkStatus: string | null; // L7OK, L4CON, L7TOUT, L7STS …
  checkCode: number | null;
  checkDesc: string | null;
  lastCheck: string | null;
  currentSessions: number;
  totalSessions: number;
  /** sessions per second over the last second (servers, backends, frontends) */
  rate: number;
  /** HTTP requests per second over the last second (frontends only) */
  reqRate: number | null;
  reqTotal: number | null;
  downtimeS: number | null;
  lastChangeS: number | null;
  raw: Record<string, string>;
}

export type AdminState = "ready" | "maint" | "drain";

/** One line of `show servers state`. */
export interface ServerState {
  backendId: number;
  backend: string;
  serverId: number;
  server: string;
  address: string;
  port: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping */
  opState: number;
  /** bit field: 0x01 forced maint, 0x02 inherited maint, 0x04 config maint, 0x08 forced drain, 0x10 inherited drain, 0x20 resolution maint … */
  adminState: number;
  maint: boolean;
  drain: boolean;
  checkHealth: number;
  secondsSinceChange: number;
}

export interface MapEntry {
  ref: string;
  key: string;
  value: string;
}

export interface MapInfo {
  id: number;
  file: string | null;
  description: string;
  currentVersion: number | null;
  nextVersion: number | null;
  entries: number | null;
}

export interface GetMapResult {
  found: boolean;
  key: string | null;
  value: string | null;
}
