import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/knowledge/load.js';
import { tempDir } from '../support/temp.js';

/** Whether something still accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('stopping', () => {
  // A process manager stops `npm start` with SIGTERM to npm: the server itself must stop and free its port.
  it('stops the server, gracefully, when npm start gets SIGTERM', async () => {
    const npm = spawn('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir('stop'), LOG_LEVEL: 'info', TELEGRAM_BOT_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout.on('data', (d: Buffer) => (log += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (log += d.toString()));
    let ended = false;
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => ((ended = true), resolve(code))));

    const started = Date.now();
    let port = 0;
    while (!port && !ended && Date.now() - started < 60_000) {
      port = Number(/assistant ready: open http:\/\/[\d.]+:(\d+)/.exec(log)?.[1] ?? 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(port, log).toBeGreaterThan(0);
    expect(await listening(port)).toBe(true);

    npm.kill('SIGTERM');
    await exited;
    // The server, not only npm, has gone: the port is free within a few seconds.
    let open = true;
    for (let i = 0; i < 50 && open; i++) {
      open = await listening(port);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(false);
    expect(log).toContain('shutting down');
  }, 90_000);
});
