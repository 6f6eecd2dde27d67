// An echo server on Node's `ws` (npm), used as a third-party peer.
// Prints its port on the first stdout line.
// Usage: node node_ws_echo_server.js [--max-payload N] [--deflate]
// --deflate: permessage-deflate on (ws's defaults: every message compressed,
// threshold 0 so small ones too, context takeover as the client offers).
'use strict';
const { WebSocketServer } = require('ws');

const i = process.argv.indexOf('--max-payload');
const maxPayload = i > 0 ? Number(process.argv[i + 1]) : 64 * 1024 * 1024;
const perMessageDeflate = process.argv.includes('--deflate') ? { threshold: 0 } : false;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload, perMessageDeflate });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => console.log(wss.address().port));
const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
