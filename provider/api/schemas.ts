import { z } from "zod";

// Only the fields we use are validated; unknown fields are ignored so that additive
// platform changes do not break us, while missing/mistyped fields we rely on do.

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  expires_on: z.number().optional(),
});

export const tokenErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().nullish(),
});

export const userSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  tenant_id: z.string(),
  login: z.string(),
  contact: z.object({ email: z.string() }),
  activated: z.boolean(),
  enabled: z.boolean(),
  deleted_at: z.string().nullish(),
});
export type UserWire = z.infer<typeof userSchema>;

export const userBatchSchema = z.object({
  items: z.array(userSchema),
});

/**
 * A page of `GET /users?subtree_root_tenant_id=`. No `after` cursor means the last page; a page
 * that wrongly looked like the last one costs only speed: an account a listing does not hold is
 * read on its own.
 */
export const userPageSchema = z.object({
  items: z.array(userSchema),
  paging: z
    .object({
      cursors: z.object({ after: z.string().min(1).nullish() }).optional(),
    })
    .optional(),
});

export const searchSchema = z.object({
  items: z.array(
    z.object({
      obj_type: z.string(),
      id: z.string(),
      parent_id: z.string().nullish(),
      path: z.array(z.string()),
      login: z.string().nullish(),
    }),
  ),
});

export const clientSchema = z.object({
  client_id: z.string(),
  tenant_id: z.string(),
});

const platformErrorFields = {
  code: z.union([z.string(), z.number()]).optional(),
  domain: z.string().nullish(),
  message: z.string().nullish(),
  // Kept loose: an odd `details` must not cost us the code and message beside it.
  details: z.unknown().optional(),
};

/** The documented error body: `{"error": {"code", "domain", "message", "details", "context"}}`. */
export const platformErrorSchema = z.object({ error: z.object(platformErrorFields) });

/**
 * The same fields at the top level, as some endpoints write them (a published 409 of
 * `check_login`: `{"code": 409, "message": "User '...' exists"}`). Only bodies carrying a code or
 * a message count, so that any other JSON is not mistaken for an error answer.
 */
export const platformBareErrorSchema = z
  .object(platformErrorFields)
  .refine((e) => e.code !== undefined || typeof e.message === "string");

/** `details` of a platform error; published answers carry `"info": ""` or `null` as often as text. */
export const platformErrorDetailsSchema = z.object({ info: z.string().nullish() });

/** "contact.email", "items[3].id"; empty path means the body itself. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** First issue of a failed parse, as "response field contact.email: expected string, ...". */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "response body does not match the expected schema";
  const where =
    issue.path.length === 0 ? "response body" : `response field ${formatIssuePath(issue.path)}`;
  const what = issue.message.replace(/^Invalid input:\s*/i, "");
  return `${where}: ${what}`;
}
