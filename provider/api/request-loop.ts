import type { z } from "zod";
import { type AttemptOutcome, decideAfterAttempt, type Failure } from "./call-decision";
import {
  credentialsRefusedError,
  httpError,
  type MakeError,
  noAnswerError,
  redirectError,
  schemaError,
} from "./call-errors";
import type { CallSpec } from "./endpoints";
import { tokenCall } from "./endpoints";
import { AcronisApiError } from "./errors";
import type { RetryPolicy } from "./retry";
import { describeSchemaError } from "./schemas";
import { type IssuedToken, TokenCache, tokenExpiry } from "./token";
import { type Limiter, type RawResponse, type Transport, TransportError } from "./transport";

/**
 * Sends one logical call until it has an answer to return or an error to throw: takes a token,
 * waits for a slot, sends, and carries out what call-decision.ts says about each attempt (wait and
 * re-send, renew the token, pause the whole client, or fail). Parses the answer by its schema.
 */

export interface ClientStats {
  requests: number;
  tokenRequests: number;
  retries: number;
}

export interface RequestLoopOptions {
  /** The base URL's path, e.g. /api/2 (requests go to its origin through `transport`). */
  basePath: string;
  clientId: string;
  clientSecret: string;
  policy: RetryPolicy;
  userAgent: string;
  limiter: Limiter;
  transport: Transport;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

type Attempt = { res: RawResponse; error?: undefined } | { res?: undefined; error: unknown };

function header(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function outcomeOf(sent: Attempt): AttemptOutcome {
  if (sent.res !== undefined) {
    return { kind: "answer", status: sent.res.status, retryAfter: header(sent.res, "retry-after") };
  }
  const te = sent.error instanceof TransportError ? sent.error : undefined;
  return { kind: "no-answer", neverSent: te?.phase === "before-send", fatal: te?.fatal === true };
}

export class RequestLoop {
  readonly stats: ClientStats = { requests: 0, tokenRequests: 0, retries: 0 };
  /** Bearer tokens, obtained through this loop (the token call itself goes with Basic). */
  readonly tokens: TokenCache;

  private readonly basicAuth: string;
  private readonly secrets: string[];

  constructor(private readonly options: RequestLoopOptions) {
    this.basicAuth = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`;
    this.secrets = [options.clientSecret, this.basicAuth.slice("Basic ".length)];
    this.tokens = new TokenCache(() => this.requestToken(), options.now);
  }

  /** An error with every known secret (client secret, every token seen) scrubbed from it. */
  readonly error: MakeError = (init, Ctor = AcronisApiError) =>
    new Ctor({ ...init, secrets: [...this.secrets, ...this.tokens.seen] });

  /** One logical call: its answer parsed, or the error the decisions end it with. */
  async call<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.infer<S>> {
    const startedAt = this.options.now();
    let attempt = 0;
    let renewed = false;
    for (;;) {
      attempt++;
      const token = spec.auth ? await this.tokens.get() : undefined;
      const sent = await this.send(spec, token);
      const decision = decideAfterAttempt(outcomeOf(sent), {
        method: spec.method,
        auth: spec.auth,
        renewed,
        attempt,
        startedAt,
        now: this.options.now(),
        policy: this.options.policy,
        random: this.options.random,
      });
      switch (decision.action) {
        case "accept":
          // Only an answer (a 2xx) is accepted.
          return this.parse(spec, sent.res as RawResponse);
        case "renew-token":
          renewed = true;
          attempt--;
          if (token !== undefined) this.tokens.invalidate(token);
          this.stats.retries++;
          continue;
        case "pause":
          this.options.limiter.pause(decision.pauseMs);
          this.stats.retries++;
          await this.options.sleep(decision.pauseMs);
          continue;
        case "retry":
          this.stats.retries++;
          await this.options.sleep(decision.delayMs);
          continue;
        case "fail":
          if (decision.pauseMs !== undefined) this.options.limiter.pause(decision.pauseMs);
          throw this.failure(decision.failure, spec, sent, attempt);
      }
    }
  }

  /** One attempt: a slot, the request, its whole answer (or the transport's error). */
  private async send(spec: CallSpec<z.ZodType>, token: string | undefined): Promise<Attempt> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": this.options.userAgent,
      authorization: token !== undefined ? `Bearer ${token}` : this.basicAuth,
    };
    if (spec.contentType !== undefined) headers["content-type"] = spec.contentType;
    const release = await this.options.limiter.acquire();
    try {
      this.stats.requests++;
      if (!spec.auth) this.stats.tokenRequests++;
      const res = await this.options.transport.send({
        method: spec.method,
        path: `${this.options.basePath}${spec.path}${spec.query ? `?${spec.query}` : ""}`,
        headers,
        ...(spec.body !== undefined ? { body: spec.body } : {}),
      });
      return { res };
    } catch (error) {
      return { error };
    } finally {
      release();
    }
  }

  private failure(
    failure: Failure,
    spec: CallSpec<z.ZodType>,
    sent: Attempt,
    attempts: number,
  ): AcronisApiError {
    const { res } = sent;
    if (res === undefined) {
      return noAnswerError(this.error, spec, sent.error, attempts, failure === "outcome-unknown");
    }
    if (failure === "redirect") return redirectError(this.error, spec, res.status);
    if (failure === "credentials-refused") {
      return credentialsRefusedError(this.error, spec, res.status, res.body, this.options.clientId);
    }
    return httpError(this.error, spec, res.status, res.body, attempts);
  }

  private parse<S extends z.ZodType>(spec: CallSpec<S>, res: RawResponse): z.infer<S> {
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch (e) {
      throw schemaError(this.error, spec, res.status, "response body is not valid JSON", e);
    }
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      throw schemaError(this.error, spec, res.status, describeSchemaError(parsed.error));
    }
    return parsed.data;
  }

  private async requestToken(): Promise<IssuedToken> {
    const issuedAt = this.options.now();
    const res = await this.call(tokenCall);
    return {
      accessToken: res.access_token,
      issuedAt,
      expiresAt: tokenExpiry(issuedAt, res.expires_in, res.expires_on),
    };
  }
}
