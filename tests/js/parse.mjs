// Parse Mermaid sources with the real Mermaid parser: node parse.mjs FILE...
// Prints one line per file, "ok FILE TYPE" or "error FILE MESSAGE"; exits 1 if any failed.
// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides one.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`ok ${file} ${result.diagramType}`);
  } catch (err) {
    failed += 1;
    const message = String(err && err.message ? err.message : err).split("\n").join(" ");
    console.log(`error ${file} ${message}`);
  }
}
process.exit(failed ? 1 : 0);
