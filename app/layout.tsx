import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = { title: "Federation Console", description: "Control plane of the two-region federation" };

// Sets the theme before first paint (saved choice, else the system's), so dark mode never flashes.
const themeScript = `try{var t=localStorage.getItem('fc-theme');if(!t){t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.dataset.theme=t}catch(e){}`;

// The CSP (proxy.ts) runs only scripts carrying this request's nonce: reading it makes every page
// render per request, which a nonce needs anyway. Browsers blank the attribute after parsing,
// hence suppressHydrationWarning.
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
