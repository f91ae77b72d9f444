import { TenantsView } from "@/components/tenants-view";

export default function TenantsPage() {
  return <TenantsView />;
}
