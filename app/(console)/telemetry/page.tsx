import { TelemetryView } from "@/components/telemetry/telemetry-view";

export default function TelemetryPage() {
  return <TelemetryView />;
}
