"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { signOut } from "next-auth/react";
import { AlertTriangle, Hourglass, LogOut, Moon, CirclePause, Radio, Sun, WifiOff, XOctagon } from "lucide-react";
import { useQuery } from "@tanstack/react-query";
import { fetchJson } from "@/lib/http/fetch-json";
import { queryKeys } from "@/lib/query-keys";
import type { AlertView } from "@/lib/telemetry/types";
import { can, ROLE_LABELS } from "@/lib/auth/permissions";
import { connectionView, stallNotice } from "@/lib/liveness";
import { useNow } from "@/lib/use-now";
import { useActor } from "./providers";
import { useSocket } from "./realtime/socket";
import { useOverview } from "./telemetry/use-overview";
import { BreakGlassBanner, BreakGlassButton } from "./approvals/break-glass";

function ThemeToggle() {
  const [theme, setTheme] = useState<string | null>(null);
  useEffect(() => setTheme(document.documentElement.dataset.theme ?? "light"), []);
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button
      className="btn icon"
      type="button"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => {
        document.documentElement.dataset.theme = next;
        localStorage.setItem("fc-theme", next);
        setTheme(next);
      }}
    >
      {theme === "dark" ? <Sun size={16} aria-hidden /> : <Moon size={16} aria-hidden />}
    </button>
  );
}

/**
 * "Live" only while the server's heartbeat arrives (it ticks every second); a connected socket
 * that hears nothing for more than 3 s says "No data for N s" (lib/liveness.ts).
 */
function Connection() {
  const { state, error, lastDataAt } = useSocket();
  const now = useNow(1000);
  const view = connectionView(state, lastDataAt(), now);
  return (
    <span role="status" data-testid="connection" data-state={view.kind}>
      {view.kind === "live" ? (
        <span className="pill st-up" title="Receiving live updates">
          <Radio aria-hidden /> Live
        </span>
      ) : view.kind === "silent" ? (
        <span className="pill st-degraded" title="Connected, but the console has sent nothing: what you see may be out of date">
          <Hourglass aria-hidden /> {view.label}
        </span>
      ) : (
        <span className="pill st-stale" title={error ?? undefined}>
          <WifiOff aria-hidden /> {view.label}
        </span>
      )}
    </span>
  );
}

/** After the console itself paused (lib/telemetry/stall.ts), a calm notice for a minute. */
function StallNotice() {
  const { lastStall, serverOffsetMs } = useSocket();
  const now = useNow(1000);
  const text = stallNotice(lastStall, now + serverOffsetMs());
  if (!text) return null;
  return (
    <div className="banner info" role="status" data-testid="stall-notice">
      <CirclePause size={16} aria-hidden />
      <div>{text}</div>
    </div>
  );
}

/** M6: open alerts for everyone signed in, on every page, as they start and end. */
function AlertBanner() {
  useOverview(); // joins the overview room, whose subscription also sends the open alerts
  // alerts:changed (sent to everyone) replaces the list: lib/realtime/invalidation.ts.
  const { data } = useQuery({
    queryKey: queryKeys.alerts.open,
    queryFn: async () => (await fetchJson<{ open: AlertView[] }>("/api/alerts")).open,
  });
  const open = data ?? [];
  if (open.length === 0) return null;
  const down = open.some((a) => a.kind === "region_down");
  return (
    <div className={`banner ${down ? "bad" : "warn"}`} role="alert" data-testid="alert-banner">
      {down ? <XOctagon size={16} aria-hidden /> : <AlertTriangle size={16} aria-hidden />}
      <div>
        {open.map((a) => (
          <div key={a.id}>
            <strong>{ALERT_TITLES[a.kind]}</strong> — {a.message} <span className="small">(since {new Date(a.startedAt).toLocaleTimeString("en-GB")})</span>
          </div>
        ))}
      </div>
    </div>
  );
}

const ALERT_TITLES: Record<AlertView["kind"], string> = {
  region_down: "Region down",
  lag_slo: "Replication SLO breach",
  served_elsewhere: "Tenants served elsewhere",
  residency_breach: "Residency breach",
};

export function Shell({ children }: { children: React.ReactNode }) {
  const actor = useActor();
  const path = usePathname();
  const links = [
    { href: "/overview", label: "Overview", show: true },
    { href: "/tenants", label: "Tenants", show: true },
    { href: "/telemetry", label: "Telemetry", show: true },
    { href: "/audit", label: "Audit", show: can(actor.role, "audit:read") },
  ];
  return (
    <>
      <header className="topbar">
        <div className="brand">
          Federation Console <small>KL DC · Cyberjaya</small>
        </div>
        <nav className="nav" aria-label="Main">
          {links
            .filter((l) => l.show)
            .map((l) => (
              <Link key={l.href} href={l.href} aria-current={path.startsWith(l.href) ? "page" : undefined}>
                {l.label}
              </Link>
            ))}
        </nav>
        <div className="spacer" />
        <BreakGlassButton />
        <Connection />
        <div className="who">
          <span>{actor.name}</span>
          <span className="tag" data-testid="role">
            {ROLE_LABELS[actor.role]}
          </span>
        </div>
        <ThemeToggle />
        <button className="btn icon" type="button" aria-label="Sign out" title="Sign out" onClick={() => signOut({ callbackUrl: "/signin" })}>
          <LogOut size={16} aria-hidden />
        </button>
      </header>
      <AlertBanner />
      <StallNotice />
      <BreakGlassBanner />
      <main>{children}</main>
    </>
  );
}
