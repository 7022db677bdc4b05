import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

/**
 * Checks an HTTP answer (status and JSON body) against Acronis's published OpenAPI, as cut in
 * account-management-v2.cut.json beside this file: the status must be one the operation declares,
 * and the body must match that status's schema (an empty body where none is declared). Ajv does
 * the JSON Schema work; OpenAPI 3.0's `nullable` becomes `anyOf [null, schema]` first.
 */

const CUT_FILE = path.join(__dirname, "account-management-v2.cut.json");
const SOURCE_CUT_FILE = path.resolve(
  __dirname,
  "../../../emulator/openapi/account-management-v2.cut.json",
);

interface OpenApiOperation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  info: { "x-cut": { operations: string[] } };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown> };
}

/**
 * Where recorded answers of the real platform differ from the published schema, the recording
 * wins, and only here: a 401 of the token endpoint says `invalid_client` (sandwave-io/acronis-php,
 * tests/Integration/Client/RestClientExceptionsTest.php, testUnauthorizedException), which the
 * published `tokenError.error` enum does not list.
 */
export const RECORDED_DEVIATIONS = [
  {
    operationId: "RequestTokens",
    status: 401,
    schema: "tokenError",
    field: "error",
    value: "invalid_client",
    source: "sandwave-io/acronis-php tests/Integration/Client/RestClientExceptionsTest.php",
  },
] as const;

/**
 * Statuses any operation may answer though few declare them, their body in `errorScheme`: 400
 * for a request the API refuses to parse (recorded: `{"error": {"code": 400, "message": "Bad
 * Request", ...}}` for an invalid parameter, the fixture above's file), 405 another method, 413
 * a body over the emulator's limit.
 */
export const GENERIC_ERROR_STATUSES = [400, 405, 413] as const;

/**
 * Undeclared statuses the emulator answers by its own choice, each a guess listed in the
 * emulator's README and checked against a real datacenter by `npm run contract`.
 */
export const GUESSED_STATUSES = [
  { operationId: "DeleteUser", status: 409, why: "a stale version: code 1001, as PUT declares" },
  { operationId: "CreateUser", status: 409, why: "a login taken, as check_login declares" },
  { operationId: "CreateUser", status: 404, why: "an unknown tenant_id" },
  { operationId: "FetchCurrentUserInfo", status: 403, why: "a client without tenant_viewer" },
  { operationId: "CheckLoginNameAvailability", status: 403, why: "without tenant_viewer" },
] as const;

/** The cut as published, read from the emulator's source tree (also when run from dist/). */
export function loadCut(): OpenApiDocument {
  const file = readFileSafe(CUT_FILE) ?? readFileSafe(SOURCE_CUT_FILE);
  if (file === undefined) throw new Error(`OpenAPI cut not found at ${CUT_FILE}`);
  return JSON.parse(file) as OpenApiDocument;
}

function readFileSafe(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** OpenAPI 3.0 schema -> JSON Schema: `nullable` as a union with null; refs into the cut. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "nullable" || k === "example") continue;
    if (k === "$ref" && typeof v === "string")
      out[k] = v.replace(/^#\/components/, "cut#/components");
    else out[k] = toJsonSchema(v);
  }
  if ((node as { nullable?: unknown }).nullable === true) {
    return { anyOf: [{ type: "null" }, out] };
  }
  return out;
}

/** One answer that does not match the cut, said in words. */
export interface AnswerProblem {
  operationId: string;
  status: number;
  problem: string;
}

export interface AnswerValidator {
  /** The operation a method and concrete path name, or undefined when the cut has none. */
  operationOf(method: string, apiPath: string): string | undefined;
  /** What is wrong with this answer; empty when it matches the cut. */
  check(method: string, apiPath: string, status: number, body: unknown): AnswerProblem[];
  /** Every operation id the cut holds. */
  operations(): readonly string[];
}

/** A validator over the cut (or another document of its shape, for tests of the checker). */
export function answerValidator(doc: OpenApiDocument = loadCut()): AnswerValidator {
  // The published patterns are ECMA-262 without the `u` flag (`\:` in `item1` is no valid
  // escape under it), as OpenAPI 3.0 reads them.
  const regExp = Object.assign(
    (pattern: string, flags: string) => new RegExp(pattern, flags.replace("u", "")),
    { code: "new RegExp" },
  );
  const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp } });
  addFormats(ajv);
  const schemas = toJsonSchema(doc.components.schemas) as Record<string, Record<string, unknown>>;
  patchRecordedDeviations(schemas);
  ajv.addSchema({ components: { schemas } }, "cut");
  const routes = Object.entries(doc.paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => typeof op === "object" && op !== null && "operationId" in op)
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        literal: !template.includes("{"),
        re: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
        op,
      })),
  );
  // Literal paths first: /users/me before /users/{user_id}.
  routes.sort((a, b) => Number(b.literal) - Number(a.literal));
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: unknown): ValidateFunction => {
    let v = compiled.get(key);
    if (v === undefined) {
      v = ajv.compile(toJsonSchema(schema) as object);
      compiled.set(key, v);
    }
    return v;
  };
  const routeOf = (method: string, apiPath: string) =>
    routes.find((r) => r.method === method.toUpperCase() && r.re.test(apiPath.split("?")[0] ?? ""));
  return {
    operationOf: (method, apiPath) => routeOf(method, apiPath)?.op.operationId,
    operations: () => doc.info["x-cut"].operations,
    check(method, apiPath, status, body) {
      const route = routeOf(method, apiPath);
      const pathOnly = apiPath.split("?")[0] ?? "";
      const known = routes.find((r) => r.re.test(pathOnly));
      if (route === undefined && status === 405 && known !== undefined) {
        // Another method on a served path: the generic 405, its body an `errorScheme`.
        const validate = validatorFor("405", { $ref: "#/components/schemas/errorScheme" });
        if (validate(body)) return [];
        return [
          { operationId: known.op.operationId, status, problem: "405 body is no errorScheme" },
        ];
      }
      if (route === undefined) {
        return [{ operationId: "?", status, problem: `no operation for ${method} ${apiPath}` }];
      }
      const { operationId, responses } = route.op;
      const declared = responses[String(status)];
      const fail = (problem: string) => [{ operationId, status, problem }];
      const allowed =
        (GENERIC_ERROR_STATUSES as readonly number[]).includes(status) ||
        GUESSED_STATUSES.some((g) => g.operationId === operationId && g.status === status);
      if (declared === undefined && !allowed) {
        return fail(
          `status ${status} is not declared (declared: ${Object.keys(responses).join(", ")})`,
        );
      }
      const schema =
        declared === undefined
          ? { $ref: "#/components/schemas/errorScheme" }
          : declared.content?.["application/json"]?.schema;
      if (schema === undefined) {
        return body === undefined || body === null
          ? []
          : fail(`status ${status} declares no body, got ${JSON.stringify(body).slice(0, 120)}`);
      }
      const validate = validatorFor(`${operationId} ${status}`, schema);
      if (validate(body)) return [];
      return (validate.errors ?? []).map((e) => ({
        operationId,
        status,
        problem: `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}`,
      }));
    },
  };
}

function patchRecordedDeviations(schemas: Record<string, Record<string, unknown>>): void {
  for (const d of RECORDED_DEVIATIONS) {
    const props = schemas[d.schema]?.properties as Record<string, { enum?: string[] }> | undefined;
    const field = props?.[d.field];
    if (field?.enum && !field.enum.includes(d.value)) field.enum = [...field.enum, d.value];
  }
}
