"use client";
import { useState } from "react";
import { signIn } from "next-auth/react";
import { LogIn } from "lucide-react";

interface Props {
  callbackUrl: string;
  initialError: string | null;
  demoUsers: { email: string; name: string; role: string }[];
  demoPassword: string | null;
}

export function SignInForm({ callbackUrl, initialError, demoUsers, demoPassword }: Props) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await signIn("credentials", { email, password, redirect: false, callbackUrl });
    setBusy(false);
    if (!res || res.error) return setError("Sign-in failed: check the email and password.");
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
          <input className="input" type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button className="btn primary" type="submit" disabled={busy}>
          <LogIn size={16} aria-hidden /> {busy ? "Signing in…" : "Sign in"}
        </button>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
      </form>
      <div className="demo-users">
        <h3>Demo accounts{demoPassword ? <> · password <code>{demoPassword}</code></> : " · password from DEMO_PASSWORD"}</h3>
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
    </>
  );
}
