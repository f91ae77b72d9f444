import bcrypt from "bcryptjs";
import type { PrismaClient } from "@/lib/db/types";
import { COMPONENT_KINDS, COMPONENT_LABELS } from "@/lib/federation/types";

// Idempotent: creates what is missing and never overwrites state people changed
// (a tenant's serving region, a user's password).

export const SEED_REGIONS = [
  { id: "kl_dc_1", name: "KL DC", shortName: "KL", sortOrder: 1 },
  { id: "cyberjaya_1", name: "Cyberjaya", shortName: "CYB", sortOrder: 2 },
] as const;

const KL = "kl_dc_1";
const CYB = "cyberjaya_1";

type SeedTenant = [slug: string, name: string, state: string, primary: string, lock?: string[], readOnlyInFailover?: boolean];

// 35 clinics across Malaysian states; the five in Sabah and Sarawak are served from KL DC today
// (the sprint's bulk move takes them to Cyberjaya). Five clinics are residency-locked to one region.
export const SEED_TENANTS: SeedTenant[] = [
  ["klinik-shah-alam", "Klinik Kesihatan Shah Alam", "Selangor", KL, [KL]],
  ["poliklinik-petaling-jaya", "Poliklinik Petaling Jaya", "Selangor", KL],
  ["klinik-subang-jaya", "Klinik Keluarga Subang Jaya", "Selangor", KL],
  ["klinik-pakar-kajang", "Klinik Pakar Kajang", "Selangor", CYB],
  ["klinik-rakyat-klang", "Klinik Rakyat Klang", "Selangor", KL, undefined, true],
  ["poliklinik-bangsar", "Poliklinik Bangsar", "Kuala Lumpur", KL, [KL]],
  ["klinik-cheras-baru", "Klinik Cheras Baru", "Kuala Lumpur", KL],
  ["klinik-setapak", "Klinik Setapak Sentral", "Kuala Lumpur", KL],
  ["klinik-kepong", "Klinik Kepong Jaya", "Kuala Lumpur", KL],
  ["klinik-putrajaya-p9", "Klinik Putrajaya Presint 9", "Putrajaya", CYB, [CYB]],
  ["klinik-seremban-2", "Klinik Seremban 2", "Negeri Sembilan", CYB],
  ["klinik-nilai-medik", "Klinik Nilai Medik", "Negeri Sembilan", CYB, undefined, true],
  ["klinik-bandar-melaka", "Klinik Bandar Melaka", "Melaka", KL],
  ["klinik-ayer-keroh", "Klinik Ayer Keroh", "Melaka", KL],
  ["klinik-jb-larkin", "Klinik Johor Bahru Larkin", "Johor", KL],
  ["klinik-batu-pahat", "Klinik Batu Pahat", "Johor", KL],
  ["klinik-muar", "Klinik Muar Maharani", "Johor", KL, undefined, true],
  ["klinik-kluang", "Klinik Kluang", "Johor", KL],
  ["klinik-ipoh-greentown", "Klinik Ipoh Greentown", "Perak", KL],
  ["klinik-taiping", "Klinik Taiping", "Perak", KL],
  ["klinik-teluk-intan", "Klinik Teluk Intan", "Perak", KL],
  ["klinik-george-town", "Klinik George Town", "Pulau Pinang", KL],
  ["klinik-bukit-mertajam", "Klinik Bukit Mertajam", "Pulau Pinang", KL],
  ["klinik-alor-setar", "Klinik Alor Setar", "Kedah", KL],
  ["klinik-sungai-petani", "Klinik Sungai Petani", "Kedah", KL],
  ["klinik-kangar", "Klinik Kangar", "Perlis", KL],
  ["klinik-kota-bharu", "Klinik Kota Bharu", "Kelantan", KL, [KL]],
  ["klinik-kuala-terengganu", "Klinik Kuala Terengganu", "Terengganu", KL],
  ["klinik-kuantan", "Klinik Kuantan", "Pahang", KL],
  ["klinik-temerloh", "Klinik Temerloh", "Pahang", KL, [KL]],
  ["klinik-kota-kinabalu", "Klinik Kota Kinabalu", "Sabah", KL],
  ["klinik-sandakan", "Klinik Sandakan", "Sabah", KL],
  ["klinik-kuching", "Klinik Kuching", "Sarawak", KL],
  ["klinik-miri", "Klinik Miri", "Sarawak", KL],
  ["klinik-sibu", "Klinik Sibu", "Sarawak", KL],
];

export const DEMO_USERS = [
  { id: "u-admin", email: "admin@federation.local", name: "Aisyah Rahman", role: "admin" },
  { id: "u-admin2", email: "admin2@federation.local", name: "Daniel Lim", role: "admin" },
  { id: "u-compliance", email: "compliance@federation.local", name: "Priya Nair", role: "compliance" },
  { id: "u-overseer", email: "overseer@federation.local", name: "Dr. Farid Hassan", role: "overseer" },
] as const;

export async function seed(db: PrismaClient, opts: { demoPassword: string }): Promise<void> {
  for (const r of SEED_REGIONS) {
    await db.region.upsert({ where: { id: r.id }, create: r, update: { name: r.name, shortName: r.shortName, sortOrder: r.sortOrder } });
    for (const kind of COMPONENT_KINDS) {
      await db.component.upsert({
        where: { regionId_kind_name: { regionId: r.id, kind, name: COMPONENT_LABELS[kind] } },
        create: { id: `${r.id}:${kind}`, regionId: r.id, kind, name: COMPONENT_LABELS[kind] },
        update: {},
      });
    }
  }
  await db.tenant.createMany({
    skipDuplicates: true,
    data: SEED_TENANTS.map(([slug, name, state, primary, lock, readOnly]) => {
      const other = primary === KL ? CYB : KL;
      // A tenant locked to its primary alone has no failover region outside the lock.
      const failover = lock && !lock.includes(other) ? primary : other;
      return {
        id: slug,
        slug,
        name,
        state,
        primaryRegionId: primary,
        failoverRegionId: failover,
        servingRegionId: primary,
        allowedRegions: lock ?? [],
        failoverAccess: readOnly ? ("read_only" as const) : ("full" as const),
      };
    }),
  });
  const existing = new Set((await db.user.findMany({ select: { id: true } })).map((u) => u.id));
  const hash = DEMO_USERS.some((u) => !existing.has(u.id)) ? await bcrypt.hash(opts.demoPassword, 10) : "";
  for (const u of DEMO_USERS) {
    if (!existing.has(u.id)) await db.user.create({ data: { ...u, passwordHash: hash } });
  }
}
