import { DEFAULT_RETRY_POLICY } from "../api/retry";
import {
  apiUrl,
  changeLimit,
  domainList,
  onOff,
  type SettingKind,
  text,
  wholeNumber,
} from "./setting-kinds";

/**
 * Every provider setting, once. From this catalogue come: the stack config key
 * (`acronis:<name>`) and environment variable the default provider reads (settings.ts), the
 * arguments of `AcronisProvider` and their TypeScript types (acronis-provider.ts), the settings
 * an accounts file's connection gives (accounts-connections.ts), and the README's settings
 * tables (a test compares them). Adding a setting is an entry here, plus its use.
 *
 * The order is the README's, and that of AcronisProvider's arguments in its messages.
 */

// biome-ignore lint/suspicious/noExplicitAny: any kind; the catalogue's own type keeps each one's
type AnyKind = SettingKind<any, any, any>;

export interface SettingEntry {
  /** The environment variable the default provider falls back to. */
  readonly env: string;
  readonly kind: AnyKind;
  /** One line for the README's table. */
  readonly description: string;
  /** A credential: the default provider and every AcronisProvider must have it. */
  readonly required?: true;
  /** Stored only as a secret, and set with `pulumi config set --secret`. */
  readonly secret?: true;
  /**
   * An accounts file's connection gives this setting; the text says what the file must hold
   * (`expected <this>, got ...`). The kind must read from the file (`fromFile`).
   */
  readonly inAccountsFile?: string;
}

export const SETTINGS = {
  baseUrl: {
    env: "ACRONIS_BASE_URL",
    kind: apiUrl(),
    description:
      "The datacenter's API: `https://<datacenter host>/api/2`. https only (plain http for 127.0.0.1, ::1 and localhost).",
    required: true,
    inAccountsFile: "the datacenter's API URL, e.g. https://eu2-cloud.acronis.com/api/2",
  },
  clientId: {
    env: "ACRONIS_CLIENT_ID",
    kind: text(),
    description: "The API client's id.",
    required: true,
    inAccountsFile: "the API client's id, a string",
  },
  clientSecret: {
    env: "ACRONIS_CLIENT_SECRET",
    kind: text(),
    description:
      "The API client's secret; set it with `--secret`. Never in a file, state or message.",
    required: true,
    secret: true,
  },
  maxConcurrentRequests: {
    env: "ACRONIS_MAX_CONCURRENT_REQUESTS",
    kind: wholeNumber(1, 64, 8),
    description: "Requests in flight at once per provider process, 1-64.",
  },
  batchReads: {
    env: "ACRONIS_BATCH_READS",
    kind: onOff(),
    description:
      "Coalesce concurrent account reads into `GET /users?uuids=` (up to 100 per call); a read is never held back while a request slot is free. `false`: one `GET /users/{id}` per read, no tenant listings.",
  },
  readAhead: {
    env: "ACRONIS_READ_AHEAD",
    kind: onOff(),
    description:
      "When a run keeps reading accounts of one tenant, read that tenant's users in bulk (`GET /users?subtree_root_tenant_id=`) and answer the next reads from them. `false`: only this is off.",
  },
  allowedEmailDomains: {
    env: "ACRONIS_ALLOWED_EMAIL_DOMAINS",
    kind: domainList(),
    description:
      'Comma-separated allowlist (or a JSON list): `example.com` allows that domain, `.example.com` its subdomains. An address outside it fails `preview`. Not set by any source: no allowlist. Set but naming no domain (`","`, `"[]"`, `[""]`, `" , "`) is an error, never "any domain".',
  },
  requestTimeoutSeconds: {
    env: "ACRONIS_REQUEST_TIMEOUT_SECONDS",
    kind: wholeNumber(1, 600, 30),
    description:
      "How long to wait for a response's headers, and then its body, 1-600 (connecting: at most 10 s).",
  },
  retryMaxAttempts: {
    env: "ACRONIS_RETRY_MAX_ATTEMPTS",
    kind: wholeNumber(1, 10, 4),
    description: "Attempts per request for 429, 502, 503, 504 and connection errors, 1-10.",
  },
  retryBaseDelayMs: {
    env: "ACRONIS_RETRY_BASE_DELAY_MS",
    // Each wait is capped at maxDelayMs (8 s): a larger first step would mean nothing.
    kind: wholeNumber(0, DEFAULT_RETRY_POLICY.maxDelayMs, 500),
    description:
      "First backoff step, 0-8000; it doubles per attempt (full jitter), each wait at most 8 s (unless the platform's `Retry-After` asks for longer), 30 s in all.",
  },
  maxEmailChanges: {
    env: "ACRONIS_MAX_EMAIL_CHANGES",
    kind: changeLimit(),
    description:
      "Most accounts one run may change, 0-1000000; `0`: no email may change. One past it fails `preview`. See [docs/guard.md](docs/guard.md).",
  },
} satisfies Record<string, SettingEntry>;

type Catalogue = typeof SETTINGS;
export type SettingName = keyof Catalogue;

/** Every setting's name, in catalogue order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/**
 * The one rule every setting follows, from every source (stack config, then the environment, for
 * the default provider; an AcronisProvider's own inputs; an accounts file's connection): a value
 * that is empty or only whitespace is not set, so the next source is consulted, and where none is
 * left the setting's default applies (or, for a credential, an error naming it). `pulumi config
 * set acronis:<name> ""` is a common way to clear a value: read as "set to nothing", such a value
 * would hide the environment's allowlist or change limit and switch the guard off unseen.
 */
export function valueIfSet(value: string | null | undefined): string | undefined {
  // null too: a program's input that resolved to nothing reaches the provider as null.
  return typeof value !== "string" || value.trim() === "" ? undefined : value;
}

/** A setting's stack config key, which is also its AcronisProvider input: `acronis:<name>`. */
export function configKey(name: SettingName): string {
  return `acronis:${name}`;
}

/** The credentials: required of the default provider and of every AcronisProvider. */
export type RequiredSettingName = {
  [K in SettingName]: Catalogue[K] extends { required: true } ? K : never;
}[SettingName];
export type OptionalSettingName = Exclude<SettingName, RequiredSettingName>;

export const REQUIRED_SETTING_NAMES = SETTING_NAMES.filter(
  (name) => (SETTINGS[name] as SettingEntry).required === true,
) as RequiredSettingName[];

/** The settings an accounts file's connection gives. */
export type FileSettingName = {
  [K in SettingName]: Catalogue[K] extends { inAccountsFile: string } ? K : never;
}[SettingName];

export const FILE_SETTING_NAMES = SETTING_NAMES.filter(
  (name) => (SETTINGS[name] as SettingEntry).inAccountsFile !== undefined,
) as FileSettingName[];

type KindOf<K extends SettingName> = Catalogue[K]["kind"];

/** Each setting's parsed value. */
export type SettingValues = {
  [K in SettingName]: KindOf<K> extends SettingKind<infer V, unknown, unknown> ? V : never;
};

/** Each AcronisProvider argument, resolved. */
type ResolvedArgument<K extends SettingName> =
  KindOf<K> extends SettingKind<unknown, infer A, unknown> ? A : never;

/** Each AcronisProvider argument as a program passes it. */
type GivenArgument<K extends SettingName> =
  KindOf<K> extends SettingKind<unknown, unknown, infer I> ? I : never;

/** The credentials an AcronisProvider requires, as a program passes them. */
export type RequiredArguments = { [K in RequiredSettingName]: GivenArgument<K> };
/** The settings an AcronisProvider may leave out, as a program passes them. */
export type OptionalArguments = { [K in OptionalSettingName]?: GivenArgument<K> };
/** Every AcronisProvider argument resolved; an unset one is undefined. */
export type ResolvedArguments = { [K in SettingName]?: ResolvedArgument<K> };

/** A setting's entry, seen through what every entry may say. */
export function entryOf(name: SettingName): SettingEntry {
  return SETTINGS[name];
}
