"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { signOut } from "next-auth/react";
import { LogOut, Moon, Radio, Sun, WifiOff, XOctagon } from "lucide-react";
import { useActor } from "./providers";
import { useSocket } from "@/lib/realtime/client";
import { useOverview } from "@/lib/telemetry/use-overview";
import { can, ROLE_LABELS } from "@/lib/auth/permissions";

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

function Connection() {
  const { state, error } = useSocket();
  if (state === "live")
    return (
      <span className="pill st-up" title="Receiving live updates">
        <Radio aria-hidden /> Live
      </span>
    );
  return (
    <span className="pill st-stale" title={error ?? undefined} role="status">
      <WifiOff aria-hidden /> {state === "refused" ? "Not signed in" : state === "connecting" ? "Connecting…" : "Reconnecting…"}
    </span>
  );
}

/** Region-down alert for everyone signed in, on every page. */
function RegionBanner() {
  const { data } = useOverview();
  const down = data?.regions.filter((r) => r.status === "down") ?? [];
  if (down.length === 0) return null;
  return (
    <div className="banner bad" role="alert">
      <XOctagon size={16} aria-hidden />
      <div>
        {down.map((r) => (
          <div key={r.regionId}>
            <strong>{r.name} is DOWN</strong> — {r.reasons[0] ?? "no reason reported"}
          </div>
        ))}
      </div>
    </div>
  );
}

export function Shell({ children }: { children: React.ReactNode }) {
  const actor = useActor();
  const path = usePathname();
  const links = [
    { href: "/overview", label: "Overview", show: true },
    { href: "/tenants", label: "Tenants", show: true },
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
      <RegionBanner />
      <main>{children}</main>
    </>
  );
}
