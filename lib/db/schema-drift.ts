import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { SqlRunner } from "./sql";

// Compares prisma/schema.prisma with the database the migrations produced: tables, columns,
// types, nullability, enums and indexes. A schema change without a matching migration fails
// the tests (Prisma's own `migrate diff` needs an engine binary that cannot be downloaded here).

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[] }[];
  };
}

export function readSchemaDmmf(schemaPath = path.resolve(process.cwd(), "prisma/schema.prisma")): Dmmf {
  const wasm = createRequire(import.meta.url)("@prisma/prisma-schema-wasm") as { get_dmmf(params: string): string };
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", readFileSync(schemaPath, "utf8")]] })));
}

const PG_TYPES: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Boolean: "bool",
  DateTime: "timestamp",
  Json: "jsonb",
  Float: "float8",
  Decimal: "numeric",
  Bytes: "bytea",
};

export async function schemaDrift(sql: SqlRunner, dmmf = readSchemaDmmf()): Promise<string[]> {
  const problems: string[] = [];
  const cols = await sql.query<{ table_name: string; column_name: string; udt_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const enums = await sql.query<{ typname: string; labels: string[] }>(
    `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  const indexes = await sql.query<{ table: string; uniq: boolean; cols: string[] }>(
    `SELECT t.relname AS "table", ix.indisunique AS uniq, array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public'
      GROUP BY t.relname, ix.indexrelid, ix.indisunique`,
  );

  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const enumDb = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const expectedTables = new Set(tableOf.values());

  for (const table of new Set(cols.map((c) => c.table_name)))
    if (!expectedTables.has(table) && table !== "_prisma_migrations") problems.push(`table ${table} exists in the database but not in schema.prisma`);

  for (const m of dmmf.datamodel.models) {
    const table = tableOf.get(m.name)!;
    const actual = new Map(cols.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
    if (actual.size === 0) {
      problems.push(`table ${table} (model ${m.name}) is missing: add a migration`);
      continue;
    }
    const fields = m.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    const colName = (f: DmmfField) => f.dbName ?? f.name;
    for (const f of fields) {
      const c = actual.get(colName(f));
      if (!c) {
        problems.push(`column ${table}.${colName(f)} (${m.name}.${f.name}) is missing`);
        continue;
      }
      const base = f.kind === "enum" ? enumDb.get(f.type)! : PG_TYPES[f.type];
      const want = f.isList ? `_${base}` : base;
      if (c.udt_name !== want) problems.push(`column ${table}.${c.column_name} is ${c.udt_name}, schema says ${want}`);
      const wantNullable = !f.isRequired || f.isList;
      if ((c.is_nullable === "YES") !== wantNullable)
        problems.push(
          `column ${table}.${c.column_name} is ${c.is_nullable === "YES" ? "nullable" : "NOT NULL"}, schema says ${wantNullable ? "nullable" : "required"}`,
        );
    }
    const known = new Set(fields.map(colName));
    for (const name of actual.keys()) if (!known.has(name)) problems.push(`column ${table}.${name} exists in the database but not in schema.prisma`);

    for (const ix of dmmf.datamodel.indexes.filter((i) => i.model === m.name)) {
      const want = ix.fields.map((x) => colName(m.fields.find((f) => f.name === x.name)!)).join(",");
      const unique = ix.type === "id" || ix.type === "unique";
      if (!indexes.some((i) => i.table === table && i.cols.join(",") === want && i.uniq === unique))
        problems.push(`${unique ? "unique " : ""}index on ${table}(${want}) is missing`);
    }
  }

  for (const e of dmmf.datamodel.enums) {
    const dbName = e.dbName ?? e.name;
    const actual = enums.find((x) => x.typname === dbName);
    const want = e.values.map((v) => v.dbName ?? v.name);
    if (!actual) problems.push(`enum ${dbName} is missing`);
    else if (actual.labels.join(",") !== want.join(",")) problems.push(`enum ${dbName} has values ${actual.labels.join(",")}, schema says ${want.join(",")}`);
  }
  return problems;
}
