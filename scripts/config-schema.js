#!/usr/bin/env node
// Writes schema/nara.schema.json from the code (`write`), or fails if the committed file has drifted (`check`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../dist/config/json-schema.js';

const target = new URL('../schema/nara.schema.json', import.meta.url);
const fresh = configJsonSchemaText();
if (process.argv[2] === 'write') {
  mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
  writeFileSync(target, fresh);
  console.log('wrote schema/nara.schema.json');
} else {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // handled below
  }
  if (committed !== fresh) {
    console.error('schema/nara.schema.json is out of date with src/config/schema.ts: run `npm run schema:write` and commit it.');
    process.exit(1);
  }
  console.log('schema/nara.schema.json matches the code');
}
