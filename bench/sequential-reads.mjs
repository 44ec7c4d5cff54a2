// Times GET requests one after another over one kept-alive node:http socket, in a process of its own:
// the benchmark's process holds large data sets, and its garbage collections would land in the times.
//   node bench/sequential-reads.mjs URL COUNT   -> prints {"times":[ms, ...]} (or exits 1 on a non-200)
import { Agent, get } from 'node:http';

const [url, count] = process.argv.slice(2);
const reads = Number(count);
if (!url || !Number.isInteger(reads) || reads < 1 || reads > 1_000_000) {
  console.error('usage: node bench/sequential-reads.mjs URL COUNT (1-1000000)');
  process.exit(2);
}
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const read = () =>
  new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    }).on('error', reject);
  });
// A few untimed reads first: the socket is opened and the code warmed as it would be for a client already reading.
for (let i = 0; i < 10; i++) await read();
const times = [];
for (let i = 0; i < reads; i++) {
  const started = performance.now();
  const status = await read();
  if (status !== 200) {
    console.error(`${url}: ${status}`);
    process.exit(1);
  }
  times.push(performance.now() - started);
}
agent.destroy();
console.log(JSON.stringify({ times }));
