/**
 * The events bench's data folder, for start-up and memory experiments without the bench: 100,000
 * users (cached generator) and <events> stored events.
 *   node --import tsx bench/experiments/e3-data.mts /tmp/pgx/e3/db.json [events]
 */
import { storeEvents } from '../events.ts';
import { generateCached } from '../generate.ts';

const [file, events = '1000000'] = process.argv.slice(2);
const data = await generateCached({ file: file!, users: 100_000 });
const ms = await storeEvents({ file: data.file }, data.service, Number(events), Date.now());
console.log(`${events} events written in ${(ms / 1000).toFixed(1)} s to ${data.file}`);
