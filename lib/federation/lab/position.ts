// The lab's write positions, opaque to the console: "mariadb:<regionId>/<gtid domain>:<gtid>",
// e.g. "mariadb:kl_dc_1/1:1-1-11851" — the last transaction the region logged in its own GTID
// domain. An empty GTID ("mariadb:kl_dc_1/1:") means the region has written nothing yet.

export interface LabPosition {
  regionId: string;
  domain: number;
  /** "" or one GTID of `domain` */
  gtid: string;
}

export function formatPosition(p: LabPosition): string {
  return `mariadb:${p.regionId}/${p.domain}:${p.gtid}`;
}

/** Throws a message fit for a person when the text is not a lab position. */
export function parsePosition(text: string): LabPosition {
  const m = /^mariadb:([A-Za-z0-9_-]+)\/(\d+):((\d+)-(\d+)-(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a lab write position (expected mariadb:<region>/<domain>:<domain>-<server>-<seq>)`);
  const domain = Number(m[2]);
  if (m[3] && Number(m[4]) !== domain) throw new Error(`position "${text}": GTID ${m[3]} is not in domain ${domain}`);
  return { regionId: m[1], domain, gtid: m[3] ?? "" };
}
