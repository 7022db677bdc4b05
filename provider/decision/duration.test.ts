import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["24h", 86_400_000, "24h"],
    ["90m", 5_400_000, "1h30m"],
    ["1h30m", 5_400_000, "1h30m"],
    ["2d", 172_800_000, "48h"],
    ["60s", 60_000, "1m"],
  ])("%s = %d ms, canonical %s", (raw, ms, text) => {
    expect(parseDuration(raw)).toEqual({ ok: true, ms, text });
  });

  it.each(["", "24", "h", "1.5h", "-1h", "1w", "1 h", "30s", "400d"])("rejects %j", (raw) => {
    expect(parseDuration(raw).ok).toBe(false);
  });

  it("formats zero", () => expect(formatDuration(0)).toBe("0s"));
});
