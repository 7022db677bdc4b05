import { describe, expect, it } from "vitest";
import { checkInputs, UNKNOWN } from "./inputs";

const ID = "6f1c2a3b-0000-4000-8000-000000000001";
const any = { allowedEmailDomains: [] };

describe("checkInputs: values unknown in preview pass, to be checked when known", () => {
  it.each([
    ["userId", { userId: UNKNOWN, email: "a@example.com" }],
    ["email", { userId: ID, email: UNKNOWN }],
    ["resendAfter", { userId: ID, email: "a@example.com", resendAfter: UNKNOWN }],
  ])("%s unknown", (_name, news) => {
    const result = checkInputs(news, any);
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject(news);
  });

  it("a known bad resendAfter still fails, naming the account", () => {
    const result = checkInputs({ userId: ID, email: "a@example.com", resendAfter: "soon" }, any);
    expect(result.failures?.[0]?.reason).toMatch(new RegExp(`^resendAfter of account ${ID}: `));
  });
});
