// Prints the event a deploy invokes each function with, one function a line: its template
// function (`<Resource>Function`), a tab, the event as one line of JSON. Read by deploy.sh.
//   node scripts/smoke.ts <stage> <scaled environment>
import { resolve } from 'node:path';
import { listFunctions } from './lib/functions.ts';
import { readSmokeEvent } from './lib/smokeEvent.ts';

const root = resolve(import.meta.dirname, '..');
const [stage, scaledEnvironment] = process.argv.slice(2).filter((arg) => arg !== '--');
if (!stage || !scaledEnvironment) {
  console.error('usage: node scripts/smoke.ts <stage> <scaled environment>');
  process.exit(2);
}
try {
  const now = new Date();
  for (const manifest of listFunctions(root)) {
    const event = readSmokeEvent(root, manifest, { stage, scaledEnvironment, now });
    console.log(`${manifest.resource}Function\t${JSON.stringify(event)}`);
  }
} catch (error) {
  console.error(`smoke: ${(error as Error).message}`);
  process.exitCode = 1;
}
