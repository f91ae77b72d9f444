import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { SignInForm } from "@/components/sign-in-form";
import { DEMO_USERS } from "@/prisma/seed";
import { DEFAULT_DEMO_PASSWORD, demoSignInsShown } from "@/lib/auth/sign-in";
import { describeSignInError } from "@/lib/auth/sign-in-errors";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  if (await currentActor()) redirect("/overview");
  const sp = await searchParams;
  // Demo accounts and their password are listed only for the demo seed on loopback, and only
  // those that still have the default password (never when DEMO_PASSWORD was changed).
  const shown = await demoSignInsShown(DEMO_USERS.map((u) => u.email));
  const demoUsers = DEMO_USERS.filter((u) => shown.has(u.email)).map((u) => ({ email: u.email, name: u.name, role: u.role }));
  // Only known error codes become text (lib/auth/sign-in-errors.ts): the query string is anyone's to write.
  const initial = describeSignInError(typeof sp.error === "string" ? sp.error : null);
  return (
    <main className="signin">
      <div className="card">
        <h1>Federation Console</h1>
        <p className="muted">Control plane of the KL DC and Cyberjaya regions. Sign in to continue.</p>
        {/* Single sign-on (OIDC) is not built: when it is, its button goes here (see lib/auth/options.ts). */}
        <SignInForm
          callbackUrl={sp.callbackUrl?.startsWith("/") && !sp.callbackUrl.startsWith("//") ? sp.callbackUrl : "/overview"}
          initialError={initial}
          demoUsers={demoUsers}
          demoPassword={demoUsers.length ? DEFAULT_DEMO_PASSWORD : null}
        />
      </div>
    </main>
  );
}
