import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { validateBaseUrl } from "../api/url";

/**
 * The kinds of value a setting holds: an API URL, a text, a whole number in a range, a change
 * limit, an on/off switch, a domain allowlist. A kind says everything that follows from its type,
 * once, for every setting of that kind: how the text of stack config (or an environment variable,
 * or an AcronisProvider's input) is parsed, what an AcronisProvider argument of it must be, and
 * how the README shows its type and default. The settings themselves are setting-catalogue.ts.
 */

/**
 * A kind of setting. `V` is the parsed value, `A` an AcronisProvider argument once resolved, `I`
 * the argument as a program may pass it (`pulumi.Input<A>` for most).
 */
export interface SettingKind<V, A, I> {
  /** Parses stack config text; `undefined` is unset. Messages never contain the value. */
  readonly fromText: z.ZodType<V>;
  /** An AcronisProvider argument, resolved: the type alone (limits are fromText's). */
  readonly argument: z.ZodType<A>;
  /** How a wrong argument's message names the type: "expected a number, got ...". */
  readonly argumentWhat: string;
  /** The argument's TypeScript type as the README shows it. */
  readonly argumentType: string;
  /** The default as the README shows it; "required" when there is none. */
  readonly defaultText: string;
  /**
   * Where a problem of this kind stands in a message listing several from stack config: after
   * the problems of lower ranks (credentials, then numbers, limits, switches, allowlists).
   */
  readonly problemRank: number;
  /**
   * Parses the value of an accounts file's connection (a YAML scalar), for the kinds a connection
   * may set; `error` words a value of the wrong type.
   */
  readonly fromFile?: (error: (issue: { input: unknown }) => string) => z.ZodType<string>;
  /** Type only: the argument as a program passes it. */
  readonly input?: I;
}

/** The message of an allowlist that is set but names no domain; callers add how to set it. */
export const NO_DOMAIN_MESSAGE =
  'is set but names no domain; an allowlist must name at least one ("example.com", or ".example.com" for its subdomains), or be left unset for no allowlist';

/** Far above any stack; keeps the value a plain, safe integer. */
export const MAX_EMAIL_CHANGES_CEILING = 1_000_000;

/**
 * A base URL validated as the API client validates it (api/url.ts), without a trailing slash:
 * the one normalisation of a datacenter's URL. Throws validateBaseUrl's error.
 */
export function baseUrlText(raw: string): string {
  return validateBaseUrl(raw).toString().replace(/\/$/, "");
}

/** baseUrlText as a zod transform, for stack config and the accounts file alike. */
function toBaseUrl(raw: string, ctx: z.RefinementCtx): string {
  try {
    return baseUrlText(raw);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
}

const STRING = {
  argument: z.string(),
  argumentWhat: "a string",
  argumentType: "pulumi.Input<string>",
  defaultText: "required",
  problemRank: 0,
} as const;

/** The datacenter's API URL: https (http for loopback only), ending in /api/2. */
export function apiUrl(): SettingKind<string, string, pulumi.Input<string>> {
  return {
    ...STRING,
    fromText: z.string().min(1).transform(toBaseUrl),
    fromFile: (error) => z.string({ error }).transform((raw, ctx) => toBaseUrl(raw.trim(), ctx)),
  };
}

/** A required text, such as an id or a secret. */
export function text(): SettingKind<string, string, pulumi.Input<string>> {
  return {
    ...STRING,
    fromText: z.string().min(1),
    fromFile: (error) => z.string({ error }).trim().min(1, "must not be empty"),
  };
}

/** A whole number from `min` to `max`. */
export function wholeNumber(
  min: number,
  max: number,
  fallback: number,
): SettingKind<number, number, pulumi.Input<number>> {
  const message = `must be a whole number from ${min} to ${max}`;
  return {
    fromText: z.coerce
      .number({ error: message })
      .int(message)
      .min(min, message)
      .max(max, message)
      .default(fallback),
    argument: z.number(),
    argumentWhat: "a number",
    argumentType: "pulumi.Input<number>",
    defaultText: `\`${fallback}\``,
    problemRank: 1,
  };
}

/** A count from 0 to MAX_EMAIL_CHANGES_CEILING; unset (null) is no limit. */
export function changeLimit(): SettingKind<number | null, number, pulumi.Input<number>> {
  const message = `must be a whole number from 0 to ${MAX_EMAIL_CHANGES_CEILING} (leave it unset for no limit)`;
  return {
    // Digits only: Number() would read "", " ", "1e3" and "0x10" as numbers.
    fromText: z
      .string()
      .regex(/^\s*\d{1,7}\s*$/, message)
      .transform(Number)
      .pipe(z.number().max(MAX_EMAIL_CHANGES_CEILING, message))
      .nullable()
      .default(null),
    argument: z.number(),
    argumentWhat: "a number",
    argumentType: "pulumi.Input<number>",
    defaultText: "no limit",
    problemRank: 2,
  };
}

/** "true" or "false"; on unless set. */
export function onOff(): SettingKind<boolean, boolean, pulumi.Input<boolean>> {
  return {
    fromText: z
      .enum(["true", "false"], { error: 'must be "true" or "false"' })
      .default("true")
      .transform((v) => v === "true"),
    argument: z.boolean(),
    argumentWhat: "a boolean",
    argumentType: "pulumi.Input<boolean>",
    defaultText: "`true`",
    problemRank: 3,
  };
}

const DOMAIN_ENTRY = /^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Domains (`example.com`, `.example.com` for its subdomains); unset or "" is no allowlist. */
export function domainList(): SettingKind<
  string[],
  string | string[],
  pulumi.Input<string | pulumi.Input<string>[]>
> {
  return {
    fromText: z
      .string()
      .default("")
      .transform((v, ctx) => {
        const domains = parseDomainList(v);
        // Fail closed: a set allowlist naming nothing ("," "[]" '[""]') must not mean "any domain".
        if (domains.length === 0 && v !== "") {
          ctx.addIssue({ code: "custom", message: NO_DOMAIN_MESSAGE });
          return z.NEVER;
        }
        return domains;
      })
      .pipe(
        z.array(
          z.string().regex(DOMAIN_ENTRY, {
            error: (issue) =>
              `entry "${String(issue.input)}" is not a domain ("example.com", or ".example.com" for its subdomains)`,
          }),
        ),
      ),
    argument: z.union([z.string(), z.array(z.string())]),
    argumentWhat: "a string or a list of strings",
    argumentType: "pulumi.Input<string | pulumi.Input<string>[]>",
    defaultText: "any",
    problemRank: 4,
  };
}

/** Accepts a comma/space separated list or a JSON array (what `pulumi config set --path` writes). */
function parseDomainList(raw: string): string[] {
  const text = raw.trim();
  if (text === "") return [];
  let items: unknown = text.split(/[\s,]+/);
  if (text.startsWith("[")) {
    try {
      items = JSON.parse(text);
    } catch {
      // fall through to the plain split: its entries will fail validation with a clear message
    }
  }
  return (Array.isArray(items) ? items : [])
    .map((s) => String(s).trim().toLowerCase())
    .filter((s) => s !== "");
}
