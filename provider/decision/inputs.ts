import { z } from "zod";
import { parseDuration } from "./duration";
import { domainAllowed, emailDomain, normalizeEmail } from "./email";

/**
 * The provider's plain inputs and their one validation step (`check`). Everything after check
 * (diff, create, update) sees only values that passed here, already normalised. Pure: no I/O.
 */

/** The inputs as stored in state after check. */
export interface UserEmailInputs {
  userId: string;
  email: string;
  resendAfter: string;
}

/**
 * What check receives: the inputs as the program wrote them, not yet validated (the SDK types
 * them as the inputs; check is what makes them so).
 */
export type RawInputs = { readonly [K in keyof UserEmailInputs]?: unknown };

export const DEFAULT_RESEND_AFTER = "24h";

/** Pulumi's placeholder for a value not known until apply (an output of another resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface CheckFailure {
  property: string;
  reason: string;
}

export type CheckResult =
  | { inputs: UserEmailInputs; failures?: undefined }
  | { inputs?: undefined; failures: CheckFailure[] };

/** An account or tenant id as the platform writes it: lower-case 8-4-4-4-12 hex digits. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const rawInputs = z.object({
  userId: z.string({ error: "is required and must be a string (the account's UUID)" }),
  email: z.string({ error: "is required and must be a string (an email address)" }),
  resendAfter: z.string({ error: 'must be a string such as "24h"' }).optional(),
});

export interface CheckPolicy {
  /** Allowed email domains; empty means any. See domainAllowed for the syntax. */
  allowedEmailDomains: readonly string[];
}

/**
 * Validates and normalises the inputs of one UserEmail. Every problem is reported at once, each
 * naming the property and the rule, and the account when it is known.
 */
export function checkInputs(news: Record<string, unknown>, policy: CheckPolicy): CheckResult {
  const parsed = rawInputs.safeParse(news);
  if (!parsed.success) {
    return {
      failures: parsed.error.issues.map((issue) => ({
        property: String(issue.path[0] ?? "inputs"),
        reason: `${String(issue.path[0] ?? "inputs")} ${issue.message}`,
      })),
    };
  }
  const { userId: rawId, email: rawEmail, resendAfter = DEFAULT_RESEND_AFTER } = parsed.data;
  const failures: CheckFailure[] = [];

  const userId = rawId === UNKNOWN ? rawId : rawId.trim().toLowerCase();
  if (userId !== UNKNOWN && !UUID.test(userId)) {
    failures.push({
      property: "userId",
      reason: `userId "${rawId}" is not a UUID (expected 8-4-4-4-12 hex digits, as the platform's user id)`,
    });
  }
  const account = userId === UNKNOWN || failures.length > 0 ? "" : ` of account ${userId}`;

  let email = rawEmail;
  if (rawEmail !== UNKNOWN) {
    const result = normalizeEmail(rawEmail);
    if (!result.ok) {
      failures.push({ property: "email", reason: `email${account} ${result.reason}` });
    } else {
      email = result.email;
      if (
        policy.allowedEmailDomains.length > 0 &&
        !domainAllowed(email, policy.allowedEmailDomains)
      ) {
        failures.push({
          property: "email",
          reason:
            `email${account}: domain "${emailDomain(email)}" is not in acronis:allowedEmailDomains ` +
            `(${policy.allowedEmailDomains.join(", ")}); pointing an account at an outside domain ` +
            "hands its password resets to that domain",
        });
      }
    }
  }

  // Unknown until another resource is applied: not the user's mistake, and checked again then.
  if (resendAfter === UNKNOWN) {
    return failures.length > 0 ? { failures } : { inputs: { userId, email, resendAfter } };
  }
  const duration = parseDuration(resendAfter);
  if (!duration.ok) {
    failures.push({ property: "resendAfter", reason: `resendAfter${account}: ${duration.reason}` });
  }

  if (failures.length > 0 || !duration.ok) return { failures };
  return { inputs: { userId, email, resendAfter: duration.text } };
}
