// What `import "server-only"` resolves to under vitest (vitest.config.ts aliases it here): tests run
// services in plain Node, where the real package throws outside Next.js's server bundles.
export {};
