import { defineConfig } from "prisma/config";

// The URL is only read by Prisma's own CLI (migrate deploy on machines that can download its
// schema engine). The console applies prisma/migrations itself at start: see lib/db/migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/federation_console" },
});
