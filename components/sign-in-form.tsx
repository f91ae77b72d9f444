"use client";
import { useEffect, useState } from "react";
import { signIn } from "next-auth/react";
import { LogIn } from "lucide-react";
import { describeSignInError, describeWait, type SignInErrorText } from "@/lib/auth/sign-in-errors";

interface Props {
  callbackUrl: string;
  initialError: SignInErrorText | null;
  /** Empty unless the console runs the demo seed on loopback with the default password. */
  demoUsers: { email: string; name: string; role: string }[];
  demoPassword: string | null;
}

export function SignInForm({ callbackUrl, initialError, demoUsers, demoPassword }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<SignInErrorText | null>(initialError);
  const [busy, setBusy] = useState(false);
  // When a throttled sign-in may be tried again, counted down in the browser only (no clock in the server's HTML).
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const [now, setNow] = useState<number | null>(null);

  useEffect(() => setRetryAt(error?.retryAfterSec ? Date.now() + error.retryAfterSec * 1000 : null), [error]);
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [retryAt]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await signIn("credentials", { email, password, redirect: false, callbackUrl });
    setBusy(false);
    if (!res || res.error) return setError(describeSignInError(res?.error ?? "CredentialsSignin"));
    window.location.assign(res.url ?? callbackUrl);
  }

  return (
    <>
      <form onSubmit={submit} aria-label="Sign in">
        <label className="field">
          Email
          <input className="input" type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          Password
          <input
            className="input"
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button className="btn primary" type="submit" disabled={busy}>
          <LogIn size={16} aria-hidden /> {busy ? "Signing in…" : "Sign in"}
        </button>
        {error && (
          <div className="error-box" role="alert" data-testid="sign-in-error">
            {error.message}
            {retryAt !== null && now !== null && (
              <div className="small" data-testid="sign-in-retry">
                {retryAt > now
                  ? `You can try again in ${describeWait(Math.ceil((retryAt - now) / 1000))} (at ${new Date(retryAt).toLocaleTimeString("en-GB")}).`
                  : "You can try again now."}
              </div>
            )}
          </div>
        )}
      </form>
      {demoUsers.length > 0 && (
        <div className="demo-users" data-testid="demo-users">
          <h3>
            Demo accounts
            {demoPassword ? (
              <>
                {" "}
                · password <code>{demoPassword}</code>
              </>
            ) : null}
          </h3>
          <p className="muted small">Demo sign-ins are shown because this console runs the demo seed on loopback.</p>
          {demoUsers.map((u) => (
            <button
              key={u.email}
              type="button"
              className="btn"
              onClick={() => {
                setEmail(u.email);
                if (demoPassword) setPassword(demoPassword);
              }}
            >
              <span>
                {u.name} <span className="muted small">{u.email}</span>
              </span>
              <span className="tag">{u.role}</span>
            </button>
          ))}
        </div>
      )}
    </>
  );
}
