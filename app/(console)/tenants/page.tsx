import { TenantsView } from "@/components/tenants/tenants-view";

export default function TenantsPage() {
  return <TenantsView />;
}
