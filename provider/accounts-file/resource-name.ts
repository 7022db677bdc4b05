/**
 * The resource name of an account: derived from its id alone, so reordering the file, or switching
 * an entry from login to id, changes nothing in the stack.
 */
export function resourceName(userId: string, prefix = "user-"): string {
  return `${prefix}${userId.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}
