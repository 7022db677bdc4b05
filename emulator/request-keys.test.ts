import { describe, expect, it } from "vitest";
import { TENANTS, USERS } from "./demo-seeds";
import { GET_SEARCH, GET_USER, GET_USERS, POST_TOKEN, PUT_USER } from "./request-keys";
import { api, demoPlatformForTests, getToken } from "./test-helpers";

const demo = demoPlatformForTests();
const call = (method: string, path: string, body?: unknown) =>
  api(demo.emu.baseUrl, demo.token, method, path, body);

// Each constant is the key the emulator really counts and logs that request under: a test that
// waits for PUT_USER must not wait for a key nothing is ever counted under.
describe("the request-key constants name what the emulator counts", () => {
  it.each([
    ["a token", POST_TOKEN, () => getToken(demo.emu.baseUrl)],
    ["a batch read", GET_USERS, () => call("GET", `/users?uuids=${USERS.bob}`)],
    [
      "a subtree listing page",
      GET_USERS,
      () => call("GET", `/users?subtree_root_tenant_id=${TENANTS.alpha}`),
    ],
    ["one account", GET_USER, () => call("GET", `/users/${USERS.bob}`)],
    [
      "an email change",
      PUT_USER,
      () =>
        call("PUT", `/users/${USERS.bob}`, {
          contact: { email: "bob@moved.example" },
          version: 1,
        }),
    ],
    ["a search", GET_SEARCH, () => call("GET", `/search?tenant=${TENANTS.alpha}&text=bob`)],
  ])("%s: %s", async (_what, key, send) => {
    await send();
    expect((await demo.emu.control.requests()).counts).toEqual({ [key]: 1 });
    expect(await demo.emu.control.holds.arrivals(key)).toHaveLength(1);
  });
});
