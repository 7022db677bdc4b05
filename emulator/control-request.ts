/** One call to the emulator's `/_emulator` control surface, shared by its typed clients. */

export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`emulator control answered ${status}: ${body}`);
    this.name = "EmulatorControlError";
  }
}

/** Sends `body` as JSON (if any) and parses the JSON answer; a non-2xx answer throws. */
export async function controlRequest<T>(
  rootUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(rootUrl + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new EmulatorControlError(res.status, text);
  return (text.length === 0 ? undefined : JSON.parse(text)) as T;
}
