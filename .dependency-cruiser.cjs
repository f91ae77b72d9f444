// The layering of the console, checked by `npm run deps` (and so by `npm test`).
//
//   app/ (routes, pages) → lib/*/operations.ts, lib/http/ → lib/ (services, connectors, db)
//   server.ts, server/ (composition root) → workers/ → lib/
//   components/ and "use client" modules → lib/ minus anything server-side
//
// Runs with TypeScript 6 as the parser: see scripts/depcruise/typescript-hook.mjs for why.
// Runtime import cycles are checked by a second pass (.dependency-cruiser.runtime.cjs), because
// this pass keeps type-only imports (the client rules need them) and depcruise reports one cycle
// per edge, which may run through a type-only import and hide a real one.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");

if (!globalThis[Symbol.for("fc.depcruise.typescript")]) {
  throw new Error(
    "dependency-cruiser needs TypeScript < 7 to read .ts files and would silently skip them: run it through `npm run deps` " +
      "(NODE_OPTIONS=--import=./scripts/depcruise/typescript-hook.mjs).",
  );
}

const TESTS = "\\.test\\.tsx?$";
/** `import type …` / `import { type A }` (type-only) and `import("…").T` in a type position (type-import): erased at compile time. */
const TYPE_ONLY = ["type-only", "type-import"];
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Modules whose first statement is the "use client" directive (they end up in the browser bundle). */
function clientModules() {
  const found = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== "generated") walk(p);
      } else if (/\.(ts|tsx|js|jsx|mjs)$/.test(e.name)) {
        const head = readFileSync(p, "utf8")
          .slice(0, 2000)
          .replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
        if (/^(["'])use client\1/.test(head)) found.push(p.split("\\").join("/"));
      }
    }
  };
  for (const dir of ["app", "components", "lib"]) {
    try {
      walk(join(__dirname, dir));
    } catch {
      // a folder that does not exist has no client modules
    }
  }
  return found.map((p) => `^${escapeRegExp(p.slice(__dirname.length + 1))}$`);
}

const CLIENT = ["^components/", ...clientModules()];

/** What must never reach the browser bundle. */
const SERVER_SIDE = [
  "^lib/.+/service\\.ts$",
  "^lib/.+/operations\\.ts$",
  // The engine of long operations and each kind's definition (lib/<domain>/operation.ts); its view types (types.ts) are client-safe.
  "^lib/engine/(?!types\\.ts$)",
  "^lib/(?!ops/)[^/]+/operation\\.ts$",
  "^lib/connectors/",
  "^lib/db/",
  "^workers/",
  "^server/",
  "^server\\.ts$",
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "lib-not-upward",
      severity: "error",
      comment: "lib/ is the domain: it must not depend on the composition root (server.ts, server/), the workers, the routes or the UI.",
      from: { path: "^lib/", pathNot: TESTS },
      to: { path: ["^workers/", "^app/", "^server/", "^server\\.ts$", "^components/"] },
    },
    {
      name: "workers-not-upward",
      severity: "error",
      comment: "workers/ run lib/ services on a schedule; the composition root wires them, they never import it, the routes or the UI.",
      from: { path: "^workers/", pathNot: TESTS },
      to: { path: ["^app/", "^components/", "^server/", "^server\\.ts$"] },
    },
    {
      name: "client-no-server-code",
      severity: "error",
      comment: "components/ and 'use client' modules are bundled for the browser: no services, operations, connectors, database, workers or server code.",
      from: { path: CLIENT },
      to: { path: SERVER_SIDE, dependencyTypesNot: TYPE_ONLY },
    },
    {
      name: "client-no-server-types",
      severity: "error",
      comment:
        "Type-only imports from server modules into client code: only lib/db/types.ts is allowed; view types belong in a module of their own. (Erased at compile time: set severity to 'warn' to allow them.)",
      from: { path: CLIENT },
      to: { path: SERVER_SIDE, pathNot: "^lib/db/types\\.ts$", dependencyTypes: TYPE_ONLY },
    },
    {
      name: "api-routes-through-operations",
      severity: "error",
      comment: "app/api/**/route.ts adapts HTTP to operations: it may import lib/http/, lib/*/operations.ts and the few modules listed in pathNot.",
      from: { path: "^app/api/.+/route\\.ts$" },
      to: {
        path: ["^app/", "^components/", "^lib/", "^workers/", "^server/", "^server\\.ts$"],
        pathNot: [
          "^lib/http/",
          "^lib/[^/]+/operations\\.ts$",
          // NextAuth's catch-all route hands its options to NextAuth().
          "^lib/auth/options\\.ts$",
          // /api/health and /api/metrics: unauthenticated or token-authenticated, not operations.
          "^lib/console-health\\.ts$",
          "^lib/runtime\\.ts$",
          "^lib/telemetry/metrics-endpoint\\.ts$",
        ],
      },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import depcruise cannot resolve: a missing module, or the @/ alias not applied (then every rule above would pass unchecked).",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^lib/generated/"] },
    exclude: { path: ["^lib/generated/", "^\\.next/", "^node_modules/"] },
    // Keep type-only imports in the graph, marked "type-only" (the client rules tell them apart).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".json"],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
