import { domainToASCII } from "node:url";

/**
 * Validation and normalisation of email addresses, pure and without I/O.
 *
 * Limits follow RFC 5321 section 4.5.3.1 (local part 64 octets, domain labels 63) and the
 * 254-character path limit from RFC 3696 errata 1690. The domain is lower-cased and IDN labels are
 * converted to punycode, because both are case- and script-insensitive in DNS; the local part is
 * kept exactly as given, because only the receiving server may interpret it.
 */

const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_OCTETS = 64;
const LABEL_MAX_LENGTH = 63;

export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

// RFC 5322 atext, plus any non-ASCII character (RFC 6531 allows UTF-8 local parts).
const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function fail(reason: string): EmailResult {
  return { ok: false, reason };
}

/** Checks one address and returns it normalised, or the first rule it breaks. */
export function normalizeEmail(raw: string): EmailResult {
  if (raw.trim() === "") return fail("must not be empty");
  if (raw.includes("<") || raw.includes(">")) {
    const bare = /<([^<>]*)>/.exec(raw)?.[1];
    return fail(
      `must be a bare address, not a display-name form${bare ? ` (did you mean "${bare}"?)` : ""}`,
    );
  }
  if (/\s/u.test(raw)) return fail("must not contain whitespace");
  const at = raw.lastIndexOf("@");
  if (at < 0) return fail('must contain "@"');
  const local = raw.slice(0, at);
  const domainRaw = raw.slice(at + 1);

  if (local === "") return fail('local part (before "@") must not be empty');
  if (local.includes("@") || local.includes('"')) {
    return fail("quoted local parts and extra '@' signs are not supported");
  }
  if (Buffer.byteLength(local, "utf8") > LOCAL_PART_MAX_OCTETS) {
    return fail(`local part must be at most ${LOCAL_PART_MAX_OCTETS} octets (RFC 5321)`);
  }
  for (const atom of local.split(".")) {
    if (atom === "") return fail("local part must not start or end with a dot, nor contain '..'");
    if (!LOCAL_ATOM.test(atom)) return fail("local part contains a character not allowed");
  }

  if (domainRaw === "") return fail('domain (after "@") must not be empty');
  if (domainRaw.startsWith("[")) return fail("address literals ([1.2.3.4]) are not supported");
  // domainToASCII lower-cases, applies IDNA mapping and punycode; "" means not a valid IDN.
  const domain = domainToASCII(domainRaw.replace(/\.$/, ""));
  if (domain === "") return fail(`domain "${domainRaw}" is not a valid domain name`);
  const labels = domain.split(".");
  if (labels.length < 2) return fail("domain must have at least two labels (example.com)");
  for (const label of labels) {
    if (label.length > LABEL_MAX_LENGTH) {
      return fail(`each domain label must be at most ${LABEL_MAX_LENGTH} characters (RFC 5321)`);
    }
    if (!LABEL.test(label)) {
      return fail(
        `domain label "${label}" must be letters, digits and inner hyphens (no leading or trailing hyphen)`,
      );
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) {
    return fail("top-level domain must not be numeric");
  }

  const email = `${local}@${domain}`;
  if (email.length > EMAIL_MAX_LENGTH) {
    return fail(`must be at most ${EMAIL_MAX_LENGTH} characters in total (RFC 5321)`);
  }
  return { ok: true, email };
}

/**
 * True when two addresses name the same mailbox for our purposes: domains compared after
 * normalisation, local parts exactly. An address the platform holds that we cannot parse is
 * compared as-is, so it is never mistaken for the desired one.
 */
export function sameEmail(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(address: string): string {
  const result = normalizeEmail(address);
  return result.ok ? result.email : address;
}

/** The domain of an already normalised address. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

/**
 * Whether a normalised address is inside an allowlist of domains. "example.com" allows exactly
 * that domain; ".example.com" allows its subdomains (and not the domain itself, unless listed too).
 */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  const domain = emailDomain(email);
  return allowed.some((entry) =>
    entry.startsWith(".")
      ? domain.endsWith(entry) && domain.length > entry.length
      : domain === entry,
  );
}
