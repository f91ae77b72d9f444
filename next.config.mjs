/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages with native/wasm parts stay out of the bundle; the server loads them.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "socket.io", "bcryptjs", "mysql2"],
  poweredByHeader: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        // Every answer, static assets included (proxy.ts skips those; it sets the same values,
        // and the Content-Security-Policy, on everything else: lib/http/security.ts).
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};
export default nextConfig;
