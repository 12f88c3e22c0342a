import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a running emulator is: enough for another process to use and control it. */
export interface MotoConnection {
  /** `http://127.0.0.1:<port>`, the value for `AWS_ENDPOINT_URL`. */
  endpoint: string;
  /** The libfaketime timestamp file the emulator's clock reads. */
  clockFile: string;
}

/** Control of a running emulator. */
export interface Moto extends MotoConnection {
  /** Forgets every resource and puts the clock back to now. */
  reset(): Promise<void>;
  /**
   * Moves the emulator's clock: resources created afterwards carry that time.
   * Offsets are libfaketime's relative form: `-40d`, `+2h`, `-90m`, `+0`.
   */
  setClockOffset(offset: string): void;
}

/** An emulator this process started. */
export interface MotoServer extends Moto {
  stop(): Promise<void>;
}

const OFFSET = /^[+-]\d+(\.\d+)?[smhdy]?$/;

/**
 * Controls an emulator started elsewhere (a vitest global setup, the demo).
 *
 * @example
 * const moto = connectMoto(inject('moto'));
 * moto.setClockOffset('-40d');
 */
export const connectMoto = ({ endpoint, clockFile }: MotoConnection): Moto => {
  const setClockOffset = (offset: string) => {
    if (!OFFSET.test(offset)) {
      throw new Error(
        `Invalid clock offset ${JSON.stringify(offset)}: use a signed number and unit, like -40d, +2h or +0`,
      );
    }
    writeFileSync(clockFile, `${offset}\n`);
  };
  return {
    endpoint,
    clockFile,
    setClockOffset,
    reset: async () => {
      setClockOffset('+0');
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
  };
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

const isReady = async (endpoint: string): Promise<boolean> => {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
};

const waitForExit = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts moto's server on 127.0.0.1 on a free port, under libfaketime so tests can move
 * its clock, without moto's default AMIs; resolves once `/moto-api/` answers.
 * `moto_server` is found on PATH (or `NS_MOTO_SERVER`), libfaketime at `NS_FAKETIME_LIB`;
 * the project's setup provides both.
 *
 * @example
 * const moto = await startMoto();
 * process.env.AWS_ENDPOINT_URL = moto.endpoint;
 * await moto.stop();
 */
export const startMoto = async ({
  readyTimeoutMs = 30_000,
}: {
  readyTimeoutMs?: number;
} = {}): Promise<MotoServer> => {
  const faketimeLib = process.env.NS_FAKETIME_LIB;
  if (!faketimeLib) {
    throw new Error(
      'NS_FAKETIME_LIB is not set: run the tests through the project scripts (scripts/run.sh), which run the setup that finds libfaketime',
    );
  }
  const command = process.env.NS_MOTO_SERVER ?? 'moto_server';
  const clockDir = mkdtempSync(join(tmpdir(), 'nightshift-moto-'));
  const clockFile = join(clockDir, 'clock');
  writeFileSync(clockFile, '+0\n');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
      LD_PRELOAD: faketimeLib,
      FAKETIME_TIMESTAMP_FILE: clockFile,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_RESET: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await waitForExit(child);
    }
    rmSync(clockDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!(await isReady(endpoint))) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (spawnError || exited || Date.now() > deadline) {
      await stop();
      const why = spawnError
        ? `could not start ${command}: ${spawnError.message} (run scripts/setup.sh)`
        : exited
          ? `${command} exited with ${child.exitCode ?? child.signalCode}`
          : `${command} did not answer within ${readyTimeoutMs} ms`;
      throw new Error(`${why}\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...connectMoto({ endpoint, clockFile }), stop };
};
