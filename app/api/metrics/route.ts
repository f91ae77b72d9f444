import { runtime } from "@/lib/runtime";
import { renderMetrics } from "@/lib/telemetry/prometheus";
import { countResidencyViolationsPrevented } from "@/lib/audit/service";

// Prometheus scrape endpoint. With METRICS_TOKEN set, scrapers must send it as a bearer token.
export async function GET(req: Request) {
  const rt = runtime();
  const token = rt.env.METRICS_TOKEN;
  if (token && req.headers.get("authorization") !== `Bearer ${token}`) {
    return new Response("metrics need Authorization: Bearer <METRICS_TOKEN>\n", { status: 401, headers: { "content-type": "text/plain" } });
  }
  const { contentType, body } = await renderMetrics({
    regions: rt.live.regions(),
    alerts: rt.alerts.openAlerts(),
    violationsPrevented: await countResidencyViolationsPrevented(rt.database.prisma),
    now: Date.now(),
  });
  return new Response(body, { headers: { "content-type": contentType } });
}
