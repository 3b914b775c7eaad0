#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// A reader that stops early (`asymlab pcap FILE | head`) closes the pipe. That ends the output and
// nothing else: the command goes on to its end (a run still tears its lab down), writing nowhere.
const closed = new Set();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
    closed.add(stream);
  });
}
const writer = (stream) => (s) => {
  if (!closed.has(stream)) stream.write(s);
};

process.exitCode = await main(process.argv.slice(2), { out: writer(process.stdout), err: writer(process.stderr) });
