// Preloaded into dependency-cruiser (`node --import ./scripts/depcruise/typescript-hook.mjs …`).
//
// dependency-cruiser parses TypeScript with the `typescript` package's JavaScript API and accepts
// only versions below 7; TypeScript 7 (the project's compiler) is a native binary without that
// API, so depcruise would silently skip every .ts/.tsx file. This hook makes `typescript` mean
// TypeScript 6 (installed in scripts/depcruise/node_modules) for importers inside
// node_modules/dependency-cruiser only, for both its `import("typescript")` (ESM) and its
// `require("typescript/package.json")` version check (CJS). Nothing else sees TypeScript 6.
import Module, { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const fromHere = createRequire(import.meta.url);
// .dependency-cruiser.cjs refuses to run without this hook (it would silently skip every .ts file).
globalThis[Symbol.for("fc.depcruise.typescript")] = fromHere("typescript/package.json").version;
const isTypescript = (request) => request === "typescript" || request.startsWith("typescript/");
const fromDepcruise = (parent) => typeof parent === "string" && /[\\/]node_modules[\\/]dependency-cruiser[\\/]/.test(parent);

// CJS: createRequire(...)("typescript/package.json") goes through Module._resolveFilename.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (isTypescript(request) && fromDepcruise(parent?.filename)) return fromHere.resolve(request);
  return resolveFilename.call(this, request, parent, ...rest);
};

// ESM: import("typescript") goes through the module customization hooks.
const target = pathToFileURL(fromHere.resolve("typescript")).href;
register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === "typescript" && /[\\\\/]node_modules[\\\\/]dependency-cruiser[\\\\/]/.test(decodeURIComponent(context.parentURL ?? "")))
        return { url: ${JSON.stringify(target)}, format: "commonjs", shortCircuit: true };
      return next(specifier, context);
    }
  `)}`,
);
