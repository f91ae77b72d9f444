import { edgeError } from "@/lib/http/security";

// Every /api path no route answers: the API's JSON 404, for every method, signed in or not
// (instead of Next's HTML not-found page). Real routes are more specific and always win over
// this catch-all, /api/auth/* included (next-auth's own catch-all).
function notFound(req: Request) {
  const { pathname } = new URL(req.url);
  return edgeError(404, "not_found", `No API endpoint at ${JSON.stringify(pathname.slice(0, 200))} (${req.method}); the README lists them.`);
}

export const GET = notFound;
export const HEAD = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
