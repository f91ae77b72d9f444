import { NextResponse } from "next/server";
import { consoleHealth } from "@/lib/console-health";
import { runtime } from "@/lib/runtime";

// Liveness of the console itself, for load balancers and scripts: no tenant data and no internal
// error text (workers' failures go to the log and, for admins, to the metrics).
export async function GET() {
  const h = consoleHealth(runtime());
  return NextResponse.json(h, { status: h.ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
