import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "./demo-seeds";

/**
 * The stack config `pulumi config set` would give a stack pointed at this emulator's demo client:
 * the project's own config (Pulumi.yaml defaults) and the `acronis:*` connection keys. It lives
 * beside the demo client it names, so the local engine, which runs any stack, knows no emulator.
 */
export function demoStackConfig(
  project: { name: string; config: Record<string, string> },
  baseUrl: string,
): Record<string, string> {
  return {
    ...project.config,
    "acronis:baseUrl": baseUrl,
    "acronis:clientId": DEMO_CLIENT_ID,
    "acronis:clientSecret": DEMO_CLIENT_SECRET,
  };
}
