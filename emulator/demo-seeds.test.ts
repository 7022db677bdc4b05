import { describe, expect, it } from "vitest";
import { fixedId, TENANTS, US5_TENANTS, US5_USERS, USERS } from "./demo-seeds";
import { generatedUserId } from "./generated-seed";

// The ids README.md documents and demos, tests and users' stacks name: built from one helper,
// pinned here as the literals they must stay.
describe("the seeds' fixed ids", () => {
  it.each([
    [TENANTS.partner, "10000000-0000-4000-8000-000000000001"],
    [TENANTS.alpha, "10000000-0000-4000-8000-000000000002"],
    [TENANTS.beta, "10000000-0000-4000-8000-000000000003"],
    [TENANTS.unrelated, "10000000-0000-4000-8000-000000000099"],
    [USERS.partnerAdmin, "20000000-0000-4000-8000-000000000001"],
    [USERS.alice, "20000000-0000-4000-8000-000000000002"],
    [USERS.frank, "20000000-0000-4000-8000-000000000007"],
    [USERS.mallory, "20000000-0000-4000-8000-000000000099"],
    [US5_TENANTS.partner, "40000000-0000-4000-8000-000000000001"],
    [US5_TENANTS.unrelated, "40000000-0000-4000-8000-000000000099"],
    [US5_USERS.grace, "50000000-0000-4000-8000-000000000001"],
    [US5_USERS.oscar, "50000000-0000-4000-8000-000000000099"],
    [generatedUserId(1), "30000000-0000-4000-8000-000000000001"],
    [generatedUserId(10_000), "30000000-0000-4000-8000-000000002710"],
    [fixedId("31000000", 0xabc), "31000000-0000-4000-8000-000000000abc"],
  ])("%s is %s", (id, literal) => {
    expect(id).toBe(literal);
  });

  it("names every account of the default seeds", () => {
    expect(Object.keys(USERS)).toEqual([
      "partnerAdmin",
      "alice",
      "bob",
      "carol",
      "dave",
      "erin",
      "frank",
      "mallory",
    ]);
    expect(Object.keys(US5_USERS)).toEqual(["grace", "heidi", "ivan", "judy", "oscar"]);
  });
});
