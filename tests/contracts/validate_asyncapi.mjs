// Validates AsyncAPI documents with the official parser; prints one JSON line per file.
// Usage: node validate_asyncapi.mjs FILE...   (exit 1 when any has an error-level diagnostic)
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"));
  const errors = diagnostics.filter((d) => d.severity === 0);
  const warnings = diagnostics.filter((d) => d.severity === 1);
  failed ||= errors.length > 0 || !document;
  console.log(JSON.stringify({
    file, valid: Boolean(document) && errors.length === 0,
    channels: document ? document.channels().length : 0,
    messages: document ? document.allMessages().length : 0,
    errors: errors.map((d) => `${d.path.join(".")}: ${d.message}`),
    warnings: warnings.map((d) => `${d.path.join(".")}: ${d.message}`),
  }));
}
process.exit(failed ? 1 : 0);
