/**
 * A stack's state as bytes, made into the text the report parses: every
 * `"__provider": "<serialized provider>"` member's value emptied. The serialized provider
 * (kilobytes of code in the inputs and outputs of every dynamic resource) is most of a stack's
 * bytes and none of the report's; left out before decoding, a 10,000-account state costs the
 * report its bytes once, not again as a string and again as parsed values. Only a key can
 * match: inside a JSON string the quotes around `__provider` would be escaped, and in UTF-8 no
 * byte of a multi-byte character is a quote or a backslash. Linear, one pass.
 */

const KEY = Buffer.from('"__provider"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

const isSpace = (byte: number | undefined) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

export function withoutSerializedProviders(bytes: Buffer): string {
  const parts: Buffer[] = [];
  let copied = 0;
  let at = bytes.indexOf(KEY);
  while (at !== -1) {
    const after = at + KEY.length;
    const open = valueQuote(bytes, after);
    const close = open === -1 ? -1 : stringEnd(bytes, open);
    if (close !== -1) {
      // Everything up to and including the opening quote; the value's bytes are skipped.
      parts.push(bytes.subarray(copied, open + 1));
      copied = close;
    }
    at = bytes.indexOf(KEY, close === -1 ? after : close + 1);
  }
  if (parts.length === 0) return bytes.toString("utf8");
  parts.push(bytes.subarray(copied));
  return Buffer.concat(parts).toString("utf8");
}

/** After a key: the index of its string value's opening quote, or -1 (not a string value). */
function valueQuote(bytes: Buffer, from: number): number {
  let at = from;
  while (isSpace(bytes[at])) at++;
  if (bytes[at] !== COLON) return -1;
  at++;
  while (isSpace(bytes[at])) at++;
  return bytes[at] === QUOTE ? at : -1;
}

/** The index of the quote closing the JSON string opened at `open`; -1 if it never closes. */
function stringEnd(bytes: Buffer, open: number): number {
  for (let at = bytes.indexOf(QUOTE, open + 1); at !== -1; at = bytes.indexOf(QUOTE, at + 1)) {
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}
