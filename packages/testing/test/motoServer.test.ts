import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectMoto, type MotoServer, startMoto } from '../src/motoServer.ts';

// The emulator itself is started once per integration run (test/setup/moto.ts) and checked
// by test/integration/emulator.test.ts; here a small Node.js stand-in plays moto_server,
// so that what startMoto asks of the process it starts can be read back.

/** What the stand-in saw: its arguments and the environment the emulator needs. */
interface Seen {
  pid: number;
  argv: string[];
  env: Record<string, string | undefined>;
  clock: string;
}

const STAND_IN = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const port = Number(argv[argv.indexOf('-p') + 1]);
const host = argv[argv.indexOf('-H') + 1];
createServer((request, response) => {
  if (process.env.FAKE_MOTO_MODE === 'hang') return;
  if (request.url === '/moto-api/') {
    response.writeHead(200).end('<html>moto</html>');
  } else if (request.url === '/seen') {
    const env = {};
    for (const key of ['MOTO_EC2_LOAD_DEFAULT_AMIS', 'LD_PRELOAD', 'FAKETIME_TIMESTAMP_FILE', 'FAKETIME_NO_CACHE', 'FAKETIME_DONT_RESET', 'FAKE_MOTO_MODE']) env[key] = process.env[key];
    const clock = readFileSync(process.env.FAKETIME_TIMESTAMP_FILE, 'utf8');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pid: process.pid, argv, env, clock }));
  } else {
    response.writeHead(404).end();
  }
}).listen(port, host);
`;

let dir = '';
let command = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nightshift-moto-test-'));
  const script = join(dir, 'standIn.mjs');
  writeFileSync(script, STAND_IN);
  command = join(dir, 'moto_server');
  // A stand-in that exits, or that never answers, is the shell alone: it starts at once.
  writeFileSync(
    command,
    [
      '#!/bin/sh',
      'case "$FAKE_MOTO_MODE" in',
      '  exit) echo " * Running on http://127.0.0.1"; echo "moto_server: address already in use" >&2; exit 3 ;;',
      '  silent) echo $$ > "$FAKE_MOTO_PID_FILE"; exec sleep 30 ;;',
      'esac',
      `exec "${process.execPath}" "${script}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(command, 0o755);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const servers: MotoServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const useStandIn = (mode: 'serve' | 'exit' | 'silent' | 'hang' = 'serve') => {
  vi.stubEnv('NS_MOTO_SERVER', command);
  vi.stubEnv('NS_FAKETIME_LIB', join(dir, 'libfaketimeMT.so.1'));
  vi.stubEnv('FAKE_MOTO_MODE', mode);
  vi.stubEnv('FAKE_MOTO_PID_FILE', join(dir, `pid-${Math.random()}`));
};

const seenBy = async (server: MotoServer): Promise<Seen> =>
  (await (await fetch(`${server.endpoint}/seen`)).json()) as Seen;

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startMoto', () => {
  it('starts moto_server on 127.0.0.1 on a free port, without default AMIs, under libfaketime', async () => {
    // Prepare
    useStandIn();

    // Act
    const server = await startMoto();
    servers.push(server);

    // Assess
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.endpoint}/moto-api/`)).status).toBe(200);
    const seen = await seenBy(server);
    expect(seen.argv).toEqual(['-H', '127.0.0.1', '-p', server.endpoint.split(':').at(-1)]);
    expect(seen.env).toEqual({
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
      LD_PRELOAD: join(dir, 'libfaketimeMT.so.1'),
      FAKETIME_TIMESTAMP_FILE: server.clockFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_RESET: '1',
      FAKE_MOTO_MODE: 'serve',
    });
    expect(seen.clock).toBe('+0\n');
  });

  it('gives two servers their own port and clock', async () => {
    // Prepare
    useStandIn();

    // Act
    const first = await startMoto();
    servers.push(first);
    const second = await startMoto();
    servers.push(second);

    // Assess
    expect(second.endpoint).not.toBe(first.endpoint);
    expect(second.clockFile).not.toBe(first.clockFile);
    first.setClockOffset('-40d');
    expect((await seenBy(first)).clock).toBe('-40d\n');
    expect((await seenBy(second)).clock).toBe('+0\n');
  });

  it('stops the process and removes its clock file', async () => {
    // Prepare
    useStandIn();
    const exitHandlers = process.listenerCount('exit');
    const server = await startMoto();
    const { pid } = await seenBy(server);
    expect(isRunning(pid)).toBe(true);
    expect(process.listenerCount('exit')).toBe(exitHandlers + 1);
    expect(existsSync(server.clockFile)).toBe(true);

    // Act
    await server.stop();

    // Assess
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(server.clockFile)).toBe(false);
    expect(process.listenerCount('exit')).toBe(exitHandlers);
    await expect(fetch(`${server.endpoint}/moto-api/`)).rejects.toThrow();
  });

  it('refuses to start without libfaketime, naming the variable', async () => {
    // Prepare
    useStandIn();
    vi.stubEnv('NS_FAKETIME_LIB', '');

    // Act
    const started = startMoto();

    // Assess
    await expect(started).rejects.toThrow(/NS_FAKETIME_LIB is not set/);
  });

  it('fails with the command and the setup to run when moto_server is missing', async () => {
    // Prepare
    useStandIn();
    const missing = join(dir, 'no-such-moto_server');
    vi.stubEnv('NS_MOTO_SERVER', missing);

    // Act
    const started = startMoto({ readyTimeoutMs: 5_000 });

    // Assess
    await expect(started).rejects.toThrow(`could not start ${missing}`);
    await expect(started).rejects.toThrow(/scripts\/setup\.sh/);
  });

  it('fails with the exit code and what the server printed when it exits', async () => {
    // Prepare
    useStandIn('exit');

    // Act
    const started = startMoto({ readyTimeoutMs: 5_000 });

    // Assess
    await expect(started).rejects.toThrow(`${command} exited with 3`);
    await expect(started).rejects.toThrow('address already in use');
    await expect(started).rejects.toThrow(' * Running on http://127.0.0.1');
  });

  it('gives up and stops the server when it does not answer in time', async () => {
    // Prepare
    useStandIn('silent');

    // Act
    const started = startMoto({ readyTimeoutMs: 300 });

    // Assess
    await expect(started).rejects.toThrow(`${command} did not answer within 300 ms`);
    const pid = Number(readFileSync(process.env.FAKE_MOTO_PID_FILE ?? '', 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });

  it('kills the server when the test process exits without stopping it', async () => {
    // Prepare
    useStandIn();
    const before = new Set(process.listeners('exit'));
    const server = await startMoto();
    servers.push(server);
    const { pid } = await seenBy(server);
    const [onExit] = process.listeners('exit').filter((listener) => !before.has(listener));

    // Act
    onExit?.call(process, 0);

    // Assess
    expect(onExit).toBeDefined();
    await expect.poll(() => isRunning(pid)).toBe(false);
  });

  it('gives up in time on a server that takes connections but never answers', async () => {
    // Prepare
    useStandIn('hang');

    // Act
    const started = startMoto({ readyTimeoutMs: 300 });

    // Assess
    await expect(started).rejects.toThrow(`${command} did not answer within 300 ms`);
  });
});

describe('connectMoto', () => {
  const requests: { method?: string; url?: string }[] = [];
  let status = 200;
  let endpoint = '';
  let close: () => Promise<void> = async () => {};
  let clockFile = '';

  beforeAll(async () => {
    const server = createServer((request: IncomingMessage, response) => {
      requests.push({ method: request.method, url: request.url });
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());
  afterEach(() => {
    requests.length = 0;
    status = 200;
  });

  const connect = () => {
    clockFile = join(dir, `clock-${requests.length}-${Math.random()}`);
    writeFileSync(clockFile, '+0\n');
    return connectMoto({ endpoint, clockFile });
  };

  it('gives back where the emulator is', () => {
    // Act
    const moto = connect();

    // Assess
    expect(moto.endpoint).toBe(endpoint);
    expect(moto.clockFile).toBe(clockFile);
  });

  it.each(['-40d', '+2h', '-90m', '+0', '-1.5d', '+0.25h', '+30s', '-1y', '-7'])(
    'moves the clock by writing %s to the clock file',
    (offset) => {
      // Prepare
      const moto = connect();

      // Act
      moto.setClockOffset(offset);

      // Assess
      expect(readFileSync(clockFile, 'utf8')).toBe(`${offset}\n`);
    },
  );

  it.each(['40d', '-40 d', '-40days', '', 'now', '2026-01-01 00:00:00', '-40d\n+1d', '--1d'])(
    'refuses the offset %j and leaves the clock as it was',
    (offset) => {
      // Prepare
      const moto = connect();
      moto.setClockOffset('-3d');

      // Act
      const move = () => moto.setClockOffset(offset);

      // Assess
      expect(move).toThrow(`Invalid clock offset ${JSON.stringify(offset)}`);
      expect(readFileSync(clockFile, 'utf8')).toBe('-3d\n');
    },
  );

  it('resets by putting the clock back to now and posting to /moto-api/reset', async () => {
    // Prepare
    const moto = connect();
    moto.setClockOffset('-40d');

    // Act
    await moto.reset();

    // Assess
    expect(readFileSync(clockFile, 'utf8')).toBe('+0\n');
    expect(requests).toEqual([{ method: 'POST', url: '/moto-api/reset' }]);
  });

  it('fails a reset the emulator refuses, with its status', async () => {
    // Prepare
    const moto = connect();
    status = 500;

    // Act
    const reset = moto.reset();

    // Assess
    await expect(reset).rejects.toThrow('moto reset failed: HTTP 500');
  });
});
