// Opens N idle WebSockets to a URL (at most 200 handshakes in flight), prints `open <n>`,
// then holds them until SIGTERM. Usage: ws-idle-client.ts <url> <count>.
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const sockets: WebSocket[] = [];
let opened = 0;
let failed = 0;
let next = 0;

function openOne(): void {
  if (next >= count) return;
  next++;
  const ws = new WebSocket(url as string, { perMessageDeflate: false });
  ws.once('open', () => {
    opened++;
    sockets.push(ws);
    report();
    openOne();
  });
  ws.once('error', () => {
    failed++;
    report();
    openOne();
  });
}

function report(): void {
  if (opened + failed === count) process.stdout.write(`open ${opened} failed ${failed}\n`);
}

for (let i = 0; i < 200; i++) openOne();
process.on('SIGTERM', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
