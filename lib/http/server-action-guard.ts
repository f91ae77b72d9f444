import { edgeError } from "./security";
import { checkOrigin } from "./origin";

// Server actions are POSTs to a page with a `Next-Action` header; Next decodes their body (React's
// encodeReply: a JSON array as text/plain) before any of our code runs, and answers 500 to a body
// it cannot decode or an Origin it cannot parse. This guard, run by the proxy, refuses such
// requests first with the API's JSON errors: wrong origin 403, too large 413, not text 415,
// empty, malformed, too deeply nested or not an argument list 400.

/** Larger than any argument list the console's one action takes (an operation name and its input). */
export const SERVER_ACTION_MAX_BYTES = 64 * 1024;
export const SERVER_ACTION_MAX_DEPTH = 32;

export async function checkServerAction(request: Request, publicUrl: string | undefined): Promise<Response | null> {
  if (request.method !== "POST" || !request.headers.has("next-action")) return null;
  if (publicUrl) {
    const verdict = checkOrigin(request.headers, publicUrl);
    if (!verdict.ok) return edgeError(403, "forbidden", verdict.reason);
  }
  if (Number(request.headers.get("content-length") ?? "0") > SERVER_ACTION_MAX_BYTES) return tooLarge();
  const type = request.headers.get("content-type") ?? "";
  if (!/^text\/plain\s*(;|$)/i.test(type))
    return edgeError(415, "unsupported_media_type", "A server action's arguments are sent as text/plain JSON; this console's actions take no files or forms.");
  const body = await request.clone().text();
  if (body.length > SERVER_ACTION_MAX_BYTES) return tooLarge();
  const problem = argumentListProblem(body);
  return problem ? edgeError(400, "bad_request", problem) : null;
}

const tooLarge = () => edgeError(413, "payload_too_large", `A server action's arguments are larger than ${SERVER_ACTION_MAX_BYTES} bytes.`);

/** Why a body is not a JSON argument list of bounded depth (checked before parsing, without recursion). */
export function argumentListProblem(body: string): string | null {
  if (!body.trim()) return "The server action's body is empty: it must be a JSON list of arguments.";
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (++depth > SERVER_ACTION_MAX_DEPTH) return `The server action's arguments are nested deeper than ${SERVER_ACTION_MAX_DEPTH} levels.`;
    } else if (c === "]" || c === "}") depth--;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "The server action's body is not valid JSON.";
  }
  return Array.isArray(parsed) ? null : "The server action's body must be a JSON list of arguments.";
}
