import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = { title: "Federation Console", description: "Control plane of the two-region federation" };

// Sets the theme before first paint (saved choice, else the system's), so dark mode never flashes.
const themeScript = `try{var t=localStorage.getItem('fc-theme');if(!t){t=matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
