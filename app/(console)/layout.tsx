import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { Providers } from "@/components/providers";
import { Shell } from "@/components/shell";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await currentActor();
  if (!actor) redirect("/signin");
  return (
    <Providers actor={actor}>
      <Shell>{children}</Shell>
    </Providers>
  );
}
