import { describe, expect, it } from "vitest";
import { argumentListProblem, checkServerAction, SERVER_ACTION_MAX_BYTES } from "./server-action-guard";

const URL_ = "http://localhost:3000";
const action = (body: string, headers: Record<string, string> = {}) =>
  new Request(`${URL_}/overview`, {
    method: "POST",
    body,
    headers: { "next-action": "abc", origin: URL_, "content-type": "text/plain;charset=UTF-8", ...headers },
  });

async function refusal(r: Response | null) {
  expect(r).not.toBeNull();
  const body = await r!.json();
  expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
  return { status: r!.status, ...body.error };
}

describe("the server-action guard (bodies Next would answer with 500)", () => {
  it("lets a well-formed argument list from the console through, and ignores everything that is not an action", async () => {
    expect(await checkServerAction(action(JSON.stringify(["region.mark", { regionId: "kl_dc_1", down: true }])), URL_)).toBeNull();
    expect(await checkServerAction(new Request(`${URL_}/overview`), URL_)).toBeNull();
    expect(await checkServerAction(new Request(`${URL_}/api/moves`, { method: "POST", body: "{" }), URL_)).toBeNull();
  });

  it("refuses other origins, malformed ones included, with 403", async () => {
    for (const origin of ["null", "x", "http://localhost:3000.evil.example", "https://evil.example"])
      expect(await refusal(await checkServerAction(action("[]", { origin }), URL_))).toMatchObject({ status: 403, code: "forbidden" });
  });

  it("refuses empty, non-JSON, deeply nested, non-list, oversized and non-text bodies with a 4xx", async () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(await refusal(await checkServerAction(action(""), URL_))).toMatchObject({ status: 400, message: expect.stringMatching(/empty/) });
    expect(await refusal(await checkServerAction(action("{not json"), URL_))).toMatchObject({ status: 400, message: expect.stringMatching(/not valid JSON/) });
    expect(await refusal(await checkServerAction(action(deep(5000)), URL_))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/nested deeper than 32/),
    });
    expect(await refusal(await checkServerAction(action(deep(20_000)), URL_))).toMatchObject({ status: 400 });
    expect(await refusal(await checkServerAction(action(deep(100_000)), URL_))).toMatchObject({ status: 413 });
    expect(await refusal(await checkServerAction(action('{"a":1}'), URL_))).toMatchObject({ status: 400, message: expect.stringMatching(/list of arguments/) });
    expect(await refusal(await checkServerAction(action(JSON.stringify(["x".repeat(SERVER_ACTION_MAX_BYTES)])), URL_))).toMatchObject({ status: 413 });
    expect(await refusal(await checkServerAction(action("[]", { "content-type": "multipart/form-data; boundary=x" }), URL_))).toMatchObject({ status: 415 });
  });

  it("counts depth outside strings only", () => {
    expect(argumentListProblem(JSON.stringify(["[".repeat(100)]))).toBeNull();
    expect(argumentListProblem(JSON.stringify(['quote \\" then [[[[']))).toBeNull();
  });
});
