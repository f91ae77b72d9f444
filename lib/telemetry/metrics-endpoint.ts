import "server-only";
import { timingSafeEqual, createHash } from "node:crypto";
import { currentActor } from "@/lib/auth/session";
import { countResidencyViolationsPrevented } from "@/lib/audit/service";
import { runtime } from "@/lib/runtime";
import { renderMetrics } from "./prometheus";

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(presented: string | null, expected: string | undefined): boolean {
  if (!expected || !presented?.startsWith("Bearer ")) return false;
  const a = createHash("sha256").update(presented.slice(7)).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

const refuse = (status: 401 | 403, text: string) =>
  new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

/**
 * M6: the scrape answer. Region health and tenant counts are not public: a scraper presents
 * METRICS_TOKEN as a bearer token; a signed-in admin may look without one.
 */
export async function metricsResponse(req: Request): Promise<Response> {
  const rt = runtime();
  const auth = req.headers.get("authorization");
  if (!tokenMatches(auth, rt.env.METRICS_TOKEN)) {
    if (auth) return refuse(401, "metrics: the bearer token does not match METRICS_TOKEN");
    const actor = await currentActor();
    if (!actor) return refuse(401, "metrics need Authorization: Bearer <METRICS_TOKEN> (set METRICS_TOKEN for scrapers), or an admin's session");
    if (actor.role !== "admin") return refuse(403, "metrics: only admins may read them without the token");
  }
  const { contentType, body } = await renderMetrics({
    regions: rt.services.live.regions(),
    alerts: rt.services.alerts.openAlerts(),
    violationsPrevented: await countResidencyViolationsPrevented(rt.services.db),
    workers: rt.workers.map((w) => w.health()),
    stalls: rt.services.stalls.figures(),
    now: Date.now(),
  });
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
