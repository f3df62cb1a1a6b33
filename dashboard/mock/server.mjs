#!/usr/bin/env node
// A stand-in for llama-runner's management port, for developing and testing the dashboard
// without llama-runner: serves dist/, the management API and `/ws` (docs/websocket.md), and
// `POST /v1/chat/completions` with a canned reply.
//
//   node mock/server.mjs [--port 8585] [--api-key KEY] [--interval 1]
//
// Binds 127.0.0.1 only and prints `mock listening on http://127.0.0.1:PORT` when ready.

import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { serveStatic } from './static.mjs';
import { MockWorld } from './world.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8585' },
    'api-key': { type: 'string' },
    interval: { type: 'string', default: '1' },
  },
});
const apiKey = values['api-key'];
const intervalSeconds = Number(values.interval);
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

const clients = new Map();
const broadcast = (message) => {
  const text = JSON.stringify(message);
  for (const [socket, subscriptions] of clients) {
    if (message.type === 'log' && !subscriptions.has(message.model)) {
      continue;
    }
    socket.send(text);
  }
};

const world = new MockWorld({ intervalSeconds, apiKeyRequired: apiKey !== undefined, dashboardPort: Number(values.port), onEvent: broadcast });

function authorized(request, url) {
  if (apiKey === undefined) {
    return true;
  }
  return request.headers.authorization === `Bearer ${apiKey}` || url.searchParams.get('api_key') === apiKey;
}

function sendJson(response, status, body) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function handleApi(request, response, url) {
  if (!authorized(request, url)) {
    return sendJson(response, 401, { error: 'missing or invalid API key' });
  }
  const route = `${request.method} ${url.pathname}`;
  const modelAction = url.pathname.match(/^\/api\/models\/([^/]+)\/(load|unload|logs)$/);

  if (route === 'GET /api/health') {
    const warnings = world.activeAlerts.length;
    const status = warnings > 0 ? 'degraded' : 'ok';
    return sendJson(response, 200, { status, checks: [{ name: 'alerts', status, detail: `${warnings} alerts active` }] });
  }
  if (route === 'GET /api/models') {
    return sendJson(response, 200, { models: world.modelList() });
  }
  if (route === 'POST /api/models/unload') {
    for (const model of world.models.keys()) {
      world.unload(model);
    }
    return sendJson(response, 202, { unloading: [...world.models.keys()] });
  }
  if (modelAction) {
    const id = decodeURIComponent(modelAction[1]);
    if (!world.models.has(id)) {
      return sendJson(response, 404, { error: `model '${id}' not found` });
    }
    if (request.method === 'POST' && modelAction[2] === 'load') {
      world.load(id);
      return sendJson(response, 202, { model: id });
    }
    if (request.method === 'POST' && modelAction[2] === 'unload') {
      world.unload(id);
      return sendJson(response, 202, { model: id });
    }
    if (request.method === 'GET' && modelAction[2] === 'logs') {
      const tail = Number(url.searchParams.get('tail') ?? 100);
      return sendJson(response, 200, { model: id, lines: world.logs[id].slice(-tail) });
    }
  }
  if (route === 'GET /api/requests') {
    return sendJson(response, 200, { requests: world.requests });
  }
  if (route === 'GET /api/alerts') {
    return sendJson(response, 200, { active: world.activeAlerts, history: world.alertHistory, rules: world.rules });
  }
  return sendJson(response, 404, { error: `unknown route: ${route}` });
}

function handleChat(request, response) {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    const started = Date.now();
    const model = JSON.parse(body || '{}').model ?? '';
    if (!world.models.has(model)) {
      return sendJson(response, 404, { error: { message: `model '${model}' not found`, type: 'invalid_request_error', code: 'model_not_found' } });
    }
    world.load(model);
    setTimeout(() => {
      world.recordRequest(model, '/v1/chat/completions', Date.now() - started);
      sendJson(response, 200, { object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the mock.' }, finish_reason: 'stop' }] });
    }, 400);
  });
}

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/api/')) {
    handleApi(request, response, url);
  } else if (request.method === 'POST' && url.pathname === '/v1/chat/completions') {
    handleChat(request, response);
  } else {
    serveStatic(distDir, url.pathname, response);
  }
});

const sockets = new WebSocketServer({ noServer: true });
server.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  if (url.pathname !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  if (!authorized(request, url)) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  sockets.handleUpgrade(request, socket, head, (client) => {
    const subscriptions = new Set();
    clients.set(client, subscriptions);
    client.send(JSON.stringify(world.snapshot()));
    client.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'subscribe_logs') {
        subscriptions.add(message.model);
        client.send(JSON.stringify({ type: 'log', model: message.model, lines: world.logReplay(message.model) }));
      } else if (message.type === 'unsubscribe_logs') {
        subscriptions.delete(message.model);
      }
    });
    client.on('close', () => clients.delete(client));
  });
});

const ticker = setInterval(() => broadcast(world.tick()), intervalSeconds * 1000);

function shutdown() {
  clearInterval(ticker);
  world.stopProcesses();
  for (const client of clients.keys()) {
    client.terminate();
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`mock listening on http://127.0.0.1:${server.address().port}`);
});
