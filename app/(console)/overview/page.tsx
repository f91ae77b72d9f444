import { OverviewView } from "@/components/regions/overview-view";

export default function OverviewPage() {
  return <OverviewView />;
}
