import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET_SEARCH, GET_USER, GET_USERS, POST_TOKEN, PUT_USER } from "./request-keys";
import { TENANTS, USERS } from "./seed";
import { type RunningEmulator, startEmulator } from "./server";
import { api, getToken } from "./test-helpers";

let emu: RunningEmulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await getToken(emu.baseUrl);
});

afterAll(async () => {
  await emu.close();
});

beforeEach(async () => {
  await emu.control.reset();
});

// Each constant is the key the emulator really counts and logs that request under: a test that
// waits for PUT_USER must not wait for a key nothing is ever counted under.
describe("the request-key constants name what the emulator counts", () => {
  it.each([
    ["a token", POST_TOKEN, () => getToken(emu.baseUrl)],
    ["a batch read", GET_USERS, () => api(emu.baseUrl, token, "GET", `/users?uuids=${USERS.bob}`)],
    [
      "a subtree listing page",
      GET_USERS,
      () => api(emu.baseUrl, token, "GET", `/users?subtree_root_tenant_id=${TENANTS.alpha}`),
    ],
    ["one account", GET_USER, () => api(emu.baseUrl, token, "GET", `/users/${USERS.bob}`)],
    [
      "an email change",
      PUT_USER,
      () =>
        api(emu.baseUrl, token, "PUT", `/users/${USERS.bob}`, {
          contact: { email: "bob@moved.example" },
          version: 1,
        }),
    ],
    [
      "a search",
      GET_SEARCH,
      () => api(emu.baseUrl, token, "GET", `/search?tenant=${TENANTS.alpha}&text=bob`),
    ],
  ])("%s: %s", async (_what, key, send) => {
    await send();
    expect((await emu.control.requests()).counts).toEqual({ [key]: 1 });
    expect(await emu.control.holds.arrivals(key)).toHaveLength(1);
  });
});
