import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { SignInForm } from "@/components/sign-in-form";
import { DEMO_USERS } from "@/prisma/seed";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  if (await currentActor()) redirect("/overview");
  const sp = await searchParams;
  const demoPassword = env().DEMO_PASSWORD === "federation-demo" ? "federation-demo" : null;
  return (
    <main className="signin">
      <div className="card">
        <h1>Federation Console</h1>
        <p className="muted">Control plane of the KL DC and Cyberjaya regions. Sign in to continue.</p>
        <SignInForm
          callbackUrl={sp.callbackUrl?.startsWith("/") ? sp.callbackUrl : "/overview"}
          initialError={sp.error ? "Sign-in failed: check the email and password." : null}
          demoUsers={DEMO_USERS.map((u) => ({ email: u.email, name: u.name, role: u.role }))}
          demoPassword={demoPassword}
        />
      </div>
    </main>
  );
}
