/**
 * Runs the fake engine from dist/ in its own process, so it can be pinned to a core.
 * Usage: node bench/lib/engine-child.js PORT PIECES  — prints its base URL on stdout when ready.
 */
import { startFakeEngine } from '../../dist/dev/fake-engine.js';

const port = Number(process.argv[2] ?? 0);
const count = Number(process.argv[3] ?? 20);
const words = [' 나라', '는', ' 한국', '의', ' AI', ' 게이트웨이', '입니다', '.', ' 데이터', '는', ' 국내', '에', ' 머뭅니다', '.'];
const pieces = Array.from({ length: count }, (_, index) => words[index % words.length]);

const engine = await startFakeEngine({ port, pieces });
process.stdout.write(`${engine.url}\n`);
const stop = () => void engine.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
