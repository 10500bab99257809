// Peer run for `cargo run -p xtask -- bench-extract`: the extraction of the
// @opentermsarchive/engine npm package with a `body` declaration, over all
// corpus pages in one Node process (no start-up per page).
//
// Usage: node ota_engine_pages.mjs ENGINE_DIR  < {"pages": [[file.html.gz, ...], ...], "rounds": N}
// ENGINE_DIR is the folder where `npm install @opentermsarchive/engine` ran
// (never inside the repository's tracked files; xtask uses target/ota-bench).
// Prints {"bytes": N, "seconds": S, "failures": F, "chars": C} (C: Markdown
// characters produced, proof that the engine did the work).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const engineDir = path.resolve(process.argv[2]);
const require = createRequire(path.join(engineDir, 'package.json'));
const extractUrl = pathToFileURL(require.resolve('@opentermsarchive/engine/extract'));
const { default: extract } = await import(extractUrl.href);

const req = JSON.parse(readFileSync(0, 'utf8'));
const files = req.pages.flat().map(p => {
  const raw = readFileSync(p);
  return p.endsWith('.gz') ? gunzipSync(raw) : raw;
});
const docs = files.map(b => ({
  location: 'https://example.invalid/terms',
  contentSelectors: 'body',
  insignificantContentSelectors: [],
  filters: [],
  content: b.toString('utf8'),
  mimeType: 'text/html',
}));
const rounds = Number(req.rounds || 1);
let bytes = 0;
let failures = 0;
let chars = 0;
const start = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < docs.length; i++) {
    try {
      const md = await extract(docs[i]);
      chars += typeof md === 'string' ? md.length : 0;
    } catch {
      failures += 1;
    }
    bytes += files[i].length;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ bytes, seconds, failures, chars }));
