import { afterAll, beforeAll, beforeEach } from "vitest";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "./demo-seeds";
import { type RunningEmulator, startEmulator } from "./server";

/** Small HTTP helpers shared by the emulator's own tests (real HTTP via global fetch). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  body: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.length ? JSON.parse(text) : null };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

export async function getToken(
  baseUrl: string,
  id = DEMO_CLIENT_ID,
  secret = DEMO_CLIENT_SECRET,
): Promise<string> {
  const r = await request(`${baseUrl}/idp/token`, {
    method: "POST",
    headers: {
      authorization: basic(id, secret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token as string;
}

/** Authenticated JSON call against the API. */
export function api(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return request(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Polls until `condition` holds, for events in another process or behind a socket. The timeout
 * is a safety net for a broken build (fail with a message, not hang), never a window to wait out.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The demo platform and a token of its demo client, for one test file. */
export interface DemoPlatform {
  emu: RunningEmulator;
  token: string;
}

/**
 * The demo platform for a test file: started before its tests, reset (data, counts, faults,
 * holds) before each, closed after them. Its fields are set once the `beforeAll` has run.
 */
export function demoPlatformForTests(): DemoPlatform {
  const platform = {} as DemoPlatform;
  beforeAll(async () => {
    platform.emu = await startEmulator();
    platform.token = await getToken(platform.emu.baseUrl);
  });
  afterAll(async () => {
    await platform.emu?.close();
  });
  beforeEach(async () => {
    await platform.emu.control.reset();
  });
  return platform;
}
