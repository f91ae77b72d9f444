import { describe, expect, it } from "vitest";
import { sessionCookie } from "./server";

describe("sessionCookie", () => {
  it("finds next-auth's cookie among others", () => {
    expect(sessionCookie("a=1; next-auth.session-token=abc.def; b=2")).toBe("abc.def");
  });
  it("prefers the __Secure- cookie and joins chunked cookies in order", () => {
    expect(sessionCookie("__Secure-next-auth.session-token=s; next-auth.session-token=p")).toBe("s");
    expect(sessionCookie("next-auth.session-token.1=BBB; next-auth.session-token.0=AAA")).toBe("AAABBB");
  });
  it("returns null without a session cookie", () => {
    expect(sessionCookie(undefined)).toBeNull();
    expect(sessionCookie("other=1")).toBeNull();
  });
});
