// Captures what the MariaDB and PostgreSQL connectors' queries return from the running lab, as
// JSON fixtures for the parsers' unit tests. Usage: node --import tsx lab/tools/capture-fixtures.ts <suffix> [mariadb|postgres|all]
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadLabConfig, REPO_ROOT } from "../../lib/federation/lab/config";
import { MariadbClient } from "../../lib/connectors/mariadb/client";
import { SQL as MY } from "../../lib/connectors/mariadb/parse";
import { PostgresClient } from "../../lib/connectors/postgres/client";
import { SQL as PG } from "../../lib/connectors/postgres/parse";

const cfg = loadLabConfig();
const suffix = process.argv[2] ?? "normal";
const only = process.argv[3] ?? "all"; // mariadb | postgres | all
const out = (sys: string, name: string, data: unknown) => {
  const f = path.join(REPO_ROOT, "lib/connectors", sys, "fixtures", `${name}-${suffix}.json`);
  writeFileSync(f, JSON.stringify(data, null, 2) + "\n");
  console.log("wrote", path.relative(REPO_ROOT, f));
};
for (const r of cfg.regions) {
  for (const n of only === "postgres" ? [] : r.mariadb.nodes) {
    const c = new MariadbClient({ name: n.name, host: r.net.address, port: n.port, user: cfg.mariadb.adminUser, password: cfg.mariadb.adminPassword }, 2000);
    try {
      out("mariadb", `wsrep-${n.name}`, await c.query(MY.wsrep));
      out("mariadb", `replicas-${n.name}`, await c.query(MY.replicas));
      out("mariadb", `heartbeat-${n.name}`, await c.query(MY.heartbeat(`${cfg.mariadb.database}.heartbeat`)));
      out("mariadb", `role-${n.name}`, await c.query(MY.role));
    } catch (e) {
      console.log(n.name, (e as Error).message);
    }
    await c.close();
  }
  if (only === "mariadb") continue;
  const p = new PostgresClient(
    {
      name: r.postgres.name,
      host: r.net.address,
      port: r.postgres.port,
      user: cfg.postgres.user,
      password: cfg.postgres.password,
      database: cfg.postgres.database,
    },
    2000,
  );
  try {
    out("postgres", `status-${r.postgres.name}`, await p.query(PG.status));
    out("postgres", `replication-${r.postgres.name}`, await p.query(PG.replication));
    out("postgres", `heartbeat-${r.postgres.name}`, await p.query(PG.heartbeat));
  } catch (e) {
    console.log(r.postgres.name, (e as Error).message);
  }
  await p.close();
}
