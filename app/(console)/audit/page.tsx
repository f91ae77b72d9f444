import { redirect } from "next/navigation";
import { currentActor } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { AuditView } from "@/components/audit/audit-view";

export default async function AuditPage() {
  const actor = await currentActor();
  if (!actor || !can(actor.role, "audit:read")) redirect("/overview");
  return <AuditView />;
}
