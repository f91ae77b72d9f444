import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { runtime } from "@/lib/runtime";
import type { Role } from "./permissions";
import { authenticateSession, DEFAULT_MAX_HOURS, sessionPolicy } from "./service";
import { authorizeCredentials, closeSession, openSession } from "./sign-in";

/** The cookie's own lifetime: the absolute session lifetime (the server-side session decides anyway). */
function cookieMaxAgeSec(): number {
  try {
    return Math.round(sessionPolicy(runtime().env).maxMs / 1000);
  } catch {
    return DEFAULT_MAX_HOURS * 3600;
  }
}

// Credentials sign-in against the users table (the embedded default), throttled per account
// and per client address (lib/auth/sign-in.ts). The session cookie is a JWT that carries the
// user id and the id of a server-side session (`sid`, lib/auth/service.ts): every request checks
// that session (sign-out, revocation, idle timeout, absolute lifetime) and reads the role from
// the database, so a changed role takes effect at once.
//
// OIDC (single sign-on) is not built. When it is: add its provider to `providers` below, and
// the jwt callback's sign-in branch opens the server-side session for it exactly as for
// credentials (openSession); throttling and the dummy-hash comparison belong to credentials
// only. The sign-in page then gets a button for it (app/signin/page.tsx).
export const authOptions: NextAuthOptions = {
  get session() {
    return { strategy: "jwt" as const, maxAge: cookieMaxAgeSec() };
  },
  // A refused sign-in (wrong password, throttled) comes back to the sign-in page with ?error=<code>.
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (raw, req) => authorizeCredentials(raw, req),
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: Role }).role;
        token.sid = await openSession(user as { id: string; peer?: unknown });
        return token;
      }
      // Anything next-auth decodes itself (/api/auth/session): a token whose server-side session
      // ended is refused, and next-auth clears the cookie. Not activity.
      const rt = runtime();
      const r = await authenticateSession(rt.services.db, token.sid, token.uid, { policy: sessionPolicy(rt.env), activity: false, bus: rt.services.bus });
      if (!r.ok) throw new Error(`session ended (${r.reason})`);
      return token;
    },
    session({ session, token }) {
      if (session.user) Object.assign(session.user, { id: token.uid, role: token.role });
      return session;
    },
  },
  events: {
    // The session ends on the server: a copy of the cookie taken before sign-out stops working.
    signOut: ({ token }) => closeSession(token),
  },
};
