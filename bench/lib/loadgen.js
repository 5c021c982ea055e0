/**
 * One interface over the two load generators: wrk when it is installed (lighter, so the core it
 * shares with the fake engine is not the bottleneck), else autocannon.
 */
import { runAutocannon, autocannonVersion } from './autocannon.js';
import { runWrk, writeWrkScript, wrkPresent, wrkVersion } from './wrk.js';

/**
 * @param {'wrk' | 'autocannon' | undefined} preferred
 * @param {{ workDir: string, core: number }} context
 */
export function createLoadGenerator(preferred, { workDir, core }) {
  const useWrk = preferred === 'wrk' || (preferred === undefined && wrkPresent());
  if (preferred === 'wrk' && !wrkPresent()) throw new Error('--loadgen wrk asked for, but wrk is not on the PATH');
  const scripts = new Map();
  return {
    name: useWrk ? 'wrk' : 'autocannon',
    version: useWrk ? wrkVersion() : autocannonVersion(),
    /**
     * @param {{ url: string, body: string, headers: Record<string, string>, connections: number, durationSec: number }} options
     */
    async run({ url, body, headers, connections, durationSec }) {
      if (!useWrk) return runAutocannon({ url, body, headers, connections, durationSec });
      const key = JSON.stringify([body, headers]);
      let script = scripts.get(key);
      if (script === undefined) {
        script = writeWrkScript(workDir, body, headers);
        scripts.set(key, script);
      }
      return runWrk({ url, script, connections, durationSec, core });
    },
  };
}
