import { describe, expect, it } from "vitest";
import { specialResourceSig, specialSecretSig, specialSigKey, unknownValue } from "./sdk";
import { present, SECRET_OUTPUT, UNKNOWN_OUTPUT, unwrapInputs, wireOutputs } from "./wire-values";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("unwrapInputs: a registration's inputs for the engine", () => {
  it.each([
    ["plain values stay as they are", { a: "x", n: 1 }, { a: "x", n: 1 }, []],
    [
      "a secret input is unwrapped and named",
      { email: secret("e@x") },
      { email: "e@x" },
      ["email"],
    ],
    [
      "a secret inside an object marks its top-level key",
      { conn: { id: "c", key: secret("k") } },
      { conn: { id: "c", key: "k" } },
      ["conn"],
    ],
    [
      "a secret inside a list marks its top-level key",
      { list: ["a", secret("b")], other: "o" },
      { list: ["a", "b"], other: "o" },
      ["list"],
    ],
    ["an unknown stays the SDK's sentinel", { email: unknownValue }, { email: unknownValue }, []],
  ])("%s", (_case, object, inputs, secretInputs) => {
    expect(unwrapInputs(object, "alice")).toEqual({ inputs, secretInputs });
  });

  it.each([
    [
      "a resource reference",
      { ref: { [specialSigKey]: specialResourceSig, urn: "u" } },
      "alice.ref is a resource reference, which the local engine does not support",
    ],
    [
      "another kind, nested",
      { a: [{ b: { [specialSigKey]: "odd" } }] },
      "alice.a[0].b is a value of kind odd, which the local engine does not support",
    ],
  ])("refuses %s, naming where it is", (_case, object, message) => {
    expect(() => unwrapInputs(object, "alice")).toThrow(message);
  });
});

describe("present: stack outputs as a user sees them", () => {
  it.each([
    ["a plain value", "hello", "hello"],
    ["an unknown", unknownValue, UNKNOWN_OUTPUT],
    ["a secret", secret("s3cret"), SECRET_OUTPUT],
    [
      "nested ones",
      { a: [secret(1), unknownValue], b: 2 },
      { a: [SECRET_OUTPUT, UNKNOWN_OUTPUT], b: 2 },
    ],
  ])("%s", (_case, value, shown) => {
    expect(present(value)).toEqual(shown);
  });
});

describe("wireOutputs: outputs as the program receives them", () => {
  it.each([
    [
      "undefined dropped, secret or not",
      { a: 1, gone: undefined, hidden: undefined },
      ["hidden"],
      { a: 1 },
    ],
    [
      "a secret key marked",
      { email: "e@x", id: "1" },
      ["email"],
      { email: secret("e@x"), id: "1" },
    ],
    [
      "an already marked secret left as it is",
      { email: secret("e@x") },
      ["email"],
      { email: secret("e@x") },
    ],
  ])("%s", (_case, outputs, secretKeys, wire) => {
    expect(wireOutputs(outputs, new Set(secretKeys)).toJavaScript()).toEqual(wire);
  });
});
