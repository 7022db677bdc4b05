import type { AcronisClientOptions } from "../api";
import type { SettingValues } from "./setting-catalogue";

/**
 * How long a read's answer serves later reads in one provider process. A deployment's Diffs and
 * steps for one account follow each other within seconds; a minute keeps `up --refresh` and an
 * update's step from reading again, and no process decides on older data because it stayed open.
 */
export const READ_CACHE_TTL_MS = 60_000;

/**
 * The API client's options for these settings (settings.ts `Settings`, which re-exports this):
 * built once per host process, in configure.
 */
export function clientOptions(settings: SettingValues): AcronisClientOptions {
  const timeoutMs = settings.requestTimeoutSeconds * 1000;
  return {
    baseUrl: settings.baseUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    maxConcurrentRequests: settings.maxConcurrentRequests,
    batchReads: settings.batchReads,
    // batchReads=false means one request per read: no tenant listings either.
    readAhead: settings.batchReads && settings.readAhead,
    readCacheTtlMs: READ_CACHE_TTL_MS,
    timeouts: { connectMs: Math.min(timeoutMs, 10_000), headersMs: timeoutMs, bodyMs: timeoutMs },
    retry: { maxAttempts: settings.retryMaxAttempts, baseDelayMs: settings.retryBaseDelayMs },
  };
}
