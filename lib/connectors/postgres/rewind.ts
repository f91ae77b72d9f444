import "server-only";
// Rejoin a former primary as a replica of the new one: stop it, pg_rewind it onto the new
// primary's timeline (-R writes standby.signal + primary_conninfo), start it. Runs the
// PostgreSQL binaries on this host (as the cluster's OS user when we are root).
import { execFile } from "node:child_process";
import { copyFile, access, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConnectorError } from "../errors";

export interface RejoinOptions {
  pgBin: string;
  dataDir: string;
  /** run the binaries as this OS user (initdb-style clusters refuse root) */
  osUser?: string;
  /** libpq conninfo of the new primary (superuser or pg_rewind-granted role) */
  sourceConninfo: string;
  logFile: string;
  /** files in dataDir that pg_rewind must not overwrite with the source's (e.g. per-node port) */
  preserveFiles?: string[];
  timeoutMs?: number;
  /** run the binaries inside this Linux network namespace (the server must listen where it did: a lab region) */
  netns?: string;
}

function run(o: RejoinOptions, bin: string, args: string[], timeoutMs: number, stdinNull = true): Promise<{ stdout: string; stderr: string }> {
  const [cmd0, argv0] =
    o.osUser && process.getuid?.() === 0 ? ["runuser", ["-u", o.osUser, "--", path.join(o.pgBin, bin), ...args]] : [path.join(o.pgBin, bin), args];
  const [cmd, argv] = o.netns ? ["ip", ["netns", "exec", o.netns, cmd0, ...argv0]] : [cmd0, argv0];
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, argv as string[], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    if (stdinNull) child.stdin?.end();
  });
}

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

export async function rejoinAsReplica(o: RejoinOptions): Promise<{ rewound: boolean; tookMs: number; output: string }> {
  const t0 = Date.now();
  const timeout = o.timeoutMs ?? 60_000;
  const fail = (step: string, e: unknown) => {
    const err = e as { stderr?: string; message: string };
    return new ConnectorError(
      "postgres",
      o.dataDir,
      "protocol",
      `${step} failed: ${(err.stderr || err.message).trim().split("\n").slice(-3).join(" | ")}`,
      false,
    );
  };
  // 1. stop (fast); "not running" is fine: a crashed primary is the usual case
  if (await exists(path.join(o.dataDir, "postmaster.pid"))) {
    await run(o, "pg_ctl", ["-D", o.dataDir, "-m", "fast", "-w", "-t", "30", "stop"], timeout).catch(() => {});
  }
  // kept outside the data directory: pg_rewind deletes files the source does not have
  const keepDir = await mkdtemp(path.join(os.tmpdir(), "pg-rejoin-"));
  const saved: [string, string][] = [];
  for (const f of o.preserveFiles ?? []) {
    const src = path.join(o.dataDir, f);
    if (await exists(src)) {
      const tmp = path.join(keepDir, path.basename(f));
      await copyFile(src, tmp);
      saved.push([tmp, src]);
    }
  }
  // Right after pg_promote() the new primary's control file still names the old timeline until
  // a checkpoint; pg_rewind would then wrongly answer "no rewind required".
  try {
    await run(o, "psql", ["-X", "-q", "-d", o.sourceConninfo, "-c", "CHECKPOINT"], timeout);
  } catch (e) {
    throw fail("CHECKPOINT on the new primary", e);
  }
  let output = "";
  let rewound = true;
  const rewind = () => run(o, "pg_rewind", ["--target-pgdata", o.dataDir, "--source-server", o.sourceConninfo, "-R", "--progress"], timeout);
  try {
    try {
      output = (await rewind()).stderr;
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr ?? "");
      if (!/must be shut down cleanly|shut down cleanly/i.test(msg)) throw e;
      // crashed (SIGKILL) target: finish crash recovery in single-user mode, then rewind
      await run(o, "postgres", ["--single", "-D", o.dataDir, "postgres"], timeout);
      output = (await rewind()).stderr;
    }
  } catch (e) {
    throw fail("pg_rewind", e);
  } finally {
    for (const [tmp, dst] of saved) await copyFile(tmp, dst);
    await rm(keepDir, { recursive: true, force: true });
  }
  if (/no rewind required/i.test(output)) rewound = false;
  try {
    await run(o, "pg_ctl", ["-D", o.dataDir, "-l", o.logFile, "-w", "-t", "30", "start"], timeout);
  } catch (e) {
    throw fail("pg_ctl start", e);
  }
  return { rewound, tookMs: Date.now() - t0, output: output.trim() };
}
