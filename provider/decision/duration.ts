/**
 * Durations as people write them in stack files: "24h", "90m", "1h30m", "45s", "7d".
 * Pure; the canonical form is what check stores, so "1440m" and "24h" do not show as a change.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;
// Days are accepted but written as hours, so the default "24h" stays "24h" in state.
const ORDER: readonly Unit[] = ["h", "m", "s"];

const MAX_DURATION_MS = 365 * UNIT_MS.d;

type DurationResult = { ok: true; ms: number; text: string } | { ok: false; reason: string };

const DURATION = /^(?:\d+[dhms])+$/;

export function parseDuration(raw: string): DurationResult {
  const text = raw.trim();
  if (!DURATION.test(text)) {
    return {
      ok: false,
      reason: `"${raw}" is not a duration: use whole numbers with units d, h, m, s, e.g. "24h" or "1h30m"`,
    };
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([dhms])/g)) {
    ms += Number(amount) * UNIT_MS[unit as Unit];
  }
  if (ms < UNIT_MS.m) return { ok: false, reason: `"${raw}" is shorter than the minimum of 1m` };
  if (ms > MAX_DURATION_MS) return { ok: false, reason: `"${raw}" is longer than 365d` };
  return { ok: true, ms, text: formatDuration(ms) };
}

/** The canonical spelling: 90 minutes -> "1h30m", 2 days -> "48h". */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  let out = "";
  for (const unit of ORDER) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out === "" ? "0s" : out;
}
