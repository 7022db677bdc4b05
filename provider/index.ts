/**
 * pulumi-acronis-user-email: manage the contact email of Acronis Cyber Platform accounts.
 *
 * The package root: what a program imports. Each part is a folder with its own entry file
 * (docs/development.md draws them): resource/ (UserEmail, AcronisProvider and the steps),
 * decision/ (the pure core), accounts-file/ (the YAML accounts file), settings/, api/ (the
 * client) and cli/ (the command). entry.ts beside this file is what Pulumi stores in state.
 *
 * What each part's entry file exports here is the package's public API (a test lists it).
 */

export * from "./accounts-file";
export * from "./decision";
export * from "./resource";
