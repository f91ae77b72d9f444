// View types of regions: what the API returns and the browser renders (no server code here).

export interface RegionView {
  id: string;
  name: string;
  shortName: string;
  markedDown: boolean;
  markedBy: string | null;
  markedAt: string | null;
  markReason: string | null;
}
