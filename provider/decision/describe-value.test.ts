import { describe, expect, it } from "vitest";
import { type Audience, describeValue } from "./describe-value";

const PROGRAM: Audience = { object: "an object", scalars: false, strings: false };
const FILE: Audience = { object: "a mapping", scalars: true, strings: false };
const FILE_ECHO: Audience = { ...FILE, strings: true };

describe("describeValue", () => {
  it.each<[string, unknown, Audience, string]>([
    ["null", null, PROGRAM, "null"],
    ["a list", [1], FILE, "a list"],
    ["an object in a program", { a: 1 }, PROGRAM, "an object"],
    ["an object in a file", { a: 1 }, FILE, "a mapping"],
    ["a secret string", "s3cr3t", PROGRAM, "a string"],
    ["an address in a file", "a@example.com", FILE, "a string"],
    ["a string the file may echo", "1BAD", FILE_ECHO, '"1BAD"'],
    ["a number in a program (may be a secret)", 42, PROGRAM, "a number"],
    ["a number in a file", 42, FILE, "number 42"],
    ["a boolean in a file", true, FILE, "boolean true"],
    ["a boolean in a program", false, PROGRAM, "a boolean"],
  ])("%s", (_name, value, audience, expected) => {
    expect(describeValue(value, audience)).toBe(expected);
  });
});
