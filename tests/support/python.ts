/**
 * The Python that runs the exported projects in tests: `PYTHON` when set, else Debian's
 * `/usr/bin/python3`, else `python3` on the PATH, whichever first imports the modules a test
 * needs. `.ci/run` installs `python3-numpy` and `python3-torch` from Debian.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

const CANDIDATES = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(
  (candidate): candidate is string => Boolean(candidate),
);

const found = new Map<string, string>();

/** A Python executable that imports every module of `modules`; throws saying how to get one. */
export function findPython(modules: readonly string[]): string {
  const key = modules.join(',');
  const known = found.get(key);
  if (known) return known;
  for (const candidate of CANDIDATES) {
    const probe = spawnSync(candidate, ['-c', `import ${modules.join(', ')}`], {
      encoding: 'utf8',
    });
    if (probe.status === 0) {
      found.set(key, candidate);
      return candidate;
    }
  }
  throw new Error(
    `No Python with ${modules.join(' and ')} among ${CANDIDATES.join(', ')}. Install Debian's ` +
      'python3-numpy and python3-torch (`apt-get install python3-numpy python3-torch`), or set ' +
      'PYTHON to a python3 that has them.',
  );
}

export interface PythonRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python args…` in `cwd` with extra environment variables; never throws on failure. */
export function runPython(
  python: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; input?: string },
): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A TCP port free on 127.0.0.1 right now (for the processes' rendezvous). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `script args…` as `processes` ranks of one torch.distributed group on this machine,
 * with the env:// variables torchrun would set (Debian's torchrun 1.13 fails under Python
 * 3.11), and waits for all of them.
 */
export async function runDistributed(
  python: string,
  script: string,
  args: string[],
  options: { cwd: string; processes: number },
): Promise<PythonRun[]> {
  const port = await freePort();
  const shared = {
    MASTER_ADDR: '127.0.0.1',
    MASTER_PORT: String(port),
    WORLD_SIZE: String(options.processes),
    LOCAL_WORLD_SIZE: String(options.processes),
  };
  return Promise.all(
    Array.from({ length: options.processes }, (_, rank) =>
      runPython(python, [script, ...args], {
        cwd: options.cwd,
        env: { ...shared, RANK: String(rank), LOCAL_RANK: String(rank) },
      }),
    ),
  );
}
