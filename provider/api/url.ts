const EXPECTED =
  "expected the form https://<datacenter host>/api/2, e.g. https://eu2-cloud.acronis.com/api/2";

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h === "[::1]") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Validates the Account Management API base URL. HTTPS is required because the client secret
 * travels in the token request; plain http is accepted only for loopback (local emulator).
 */
export function validateBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The raw text may hold user:password@; mask it before echoing.
    const masked = raw.replace(/\/\/[^/]*@/, "//***@");
    throw new Error(`Invalid Acronis base URL "${masked}": not an absolute URL; ${EXPECTED}`);
  }
  // Never echo credentials back in the message.
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username !== "" || url.password !== "") {
    throw new Error(
      `Invalid Acronis base URL "${shown}": must not contain user:password@; pass clientId/clientSecret instead; ${EXPECTED}`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(
      `Invalid Acronis base URL "${shown}": scheme ${url.protocol} is not supported; ${EXPECTED}`,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new Error(
      `Invalid Acronis base URL "${shown}": https is required (http is only allowed for 127.0.0.1, ::1 or localhost); ${EXPECTED}`,
    );
  }
  if (url.search !== "" || url.hash !== "" || raw.includes("?") || raw.includes("#")) {
    throw new Error(
      `Invalid Acronis base URL "${shown}": must not contain a query string or fragment; ${EXPECTED}`,
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/api/2")) {
    throw new Error(`Invalid Acronis base URL "${shown}": path must end with /api/2; ${EXPECTED}`);
  }
  url.pathname = path;
  return url;
}
