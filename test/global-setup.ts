// Integration tests run the built server; make sure there is one to run.
import { existsSync } from "node:fs";

export default function setup() {
  if (!existsSync("build/index.js")) {
    throw new Error("build/index.js is missing: run the tests with `npm test` (it builds first)");
  }
}
