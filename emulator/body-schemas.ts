import { z } from "zod";
import { EMAIL_RE, UUID_RE } from "./patterns";
import { CONTACT_STRING_FIELDS, NOTIFICATIONS } from "./platform-records";

/**
 * Request bodies the emulator accepts, as zod schemas: the OpenAPI `userPut`/`contactPut`,
 * `userPost` and `clientPut` (all additionalProperties false), and the control surface's user
 * PATCH. `zodInfo` words their failures as the `details.info` of a 400.
 */

const uuidSchema = z.string().regex(UUID_RE, "must be a UUID");
const emailSchema = z.string().regex(EMAIL_RE, "must match ^$|\\S+@\\S+");
const rfc3339 = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/, "must be RFC 3339");
const nullableString = z.string().nullable().optional();
const notifications = z.array(z.enum(NOTIFICATIONS));

const contactPutSchema = z.strictObject({
  tenant_id: uuidSchema.optional(),
  user_id: uuidSchema.optional(),
  types: z
    .array(z.enum(["legal", "primary", "billing", "technical", "management"]))
    .min(1)
    .refine((a) => new Set(a).size === a.length, "items must be unique")
    .optional(),
  email: emailSchema.optional(),
  address1: nullableString,
  address2: nullableString,
  country: nullableString,
  state: nullableString,
  city: nullableString,
  zipcode: nullableString,
  phone: nullableString,
  firstname: nullableString,
  lastname: nullableString,
  title: nullableString,
  website: nullableString,
  industry: nullableString,
  organization_size: nullableString,
  email_confirmed: z.boolean().nullable().optional(),
  aan: nullableString,
  language: nullableString,
  fax: nullableString,
});

/** Schema `userPut`: only the sent fields change; `version` is required. */
export const userPutSchema = z.strictObject({
  login: z.string().optional(),
  external_id: z.string().optional(),
  idp_id: uuidSchema.optional(),
  contact: contactPutSchema.optional(),
  enabled: z.boolean().optional(),
  language: z.string().optional(),
  notifications: notifications.optional(),
  version: z.number().int(),
  disable_after: rfc3339.optional(),
});
export type UserPut = z.infer<typeof userPutSchema>;

const contactStrings = Object.fromEntries(
  CONTACT_STRING_FIELDS.map((f) => [f, nullableString]),
) as Record<(typeof CONTACT_STRING_FIELDS)[number], typeof nullableString>;

/** Schema `userPost` (`tenant_id` and `contact.email` required). */
export const userPostSchema = z.strictObject({
  tenant_id: uuidSchema,
  login: z.string().min(1, "must not be empty").optional(),
  external_id: z.string().optional(),
  idp_id: uuidSchema.optional(),
  contact: z.strictObject({
    email: emailSchema,
    ...contactStrings,
  }),
  enabled: z.boolean().optional(),
  language: z.string().optional(),
  business_types: z.array(z.enum(["buyer"])).optional(),
  notifications: notifications.optional(),
  use_existing_identity: z.boolean().optional(),
  origin_id: z.string().optional(),
  origin_external_id: z.string().optional(),
  disable_after: rfc3339.optional(),
});
export type UserPost = z.infer<typeof userPostSchema>;

/** Schema `clientPut` (every field optional). */
export const clientPutSchema = z.strictObject({
  data: z.record(z.string(), z.unknown()).optional(),
  status: z.enum(["enabled", "disabled"]).optional(),
  redirect_uris: z.array(z.string()).optional(),
  origin_id: z.string().optional(),
});
export type ClientPut = z.infer<typeof clientPutSchema>;

/** Out-of-band change, as another writer (or the user in the console) would make it. */
export const userPatchSchema = z.strictObject({
  email: z.string().optional(),
  activated: z.boolean().optional(),
  enabled: z.boolean().optional(),
  firstname: z.string().nullable().optional(),
  lastname: z.string().nullable().optional(),
  login: z.string().optional(),
  version: z.number().int().optional(),
});
export type UserPatch = z.infer<typeof userPatchSchema>;

/** `details.info` naming the offending field, e.g. `contact.foo: unknown field`. */
export function zodInfo(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const at = i.path.map(String).join(".");
      if (i.code === "unrecognized_keys") {
        return i.keys.map((k) => `${at ? `${at}.` : ""}${k}: unknown field`).join("; ");
      }
      return `${at || "(body)"}: ${i.message}`;
    })
    .join("; ");
}
