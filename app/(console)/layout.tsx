import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { Providers } from "@/components/providers";
import { Shell } from "@/components/shell";
import { SessionGuard } from "@/components/session/session-guard";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // A page load is a person's activity (keeps the session from idling out).
  const actor = await currentActor({ activity: true });
  if (!actor) redirect("/signin");
  const { sessionId: _sessionId, ...who } = actor; // the session id stays on the server
  return (
    <Providers actor={who}>
      <SessionGuard />
      <Shell>{children}</Shell>
    </Providers>
  );
}
