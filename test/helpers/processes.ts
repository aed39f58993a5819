/**
 * Runs the real server entry point (`src/server.ts` under tsx, or with SERVER_ENTRY=compiled the
 * production bundle `dist/server/server.js` that `npm start` runs) as a child process, for tests of
 * process-level behaviour: graceful shutdown, crash safety, several processes sharing one database
 * and Redis; and for the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Every line the process wrote (JSON log lines and anything on stderr). */
  lines: string[];
  exited: Promise<number | null>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How the server is started: under tsx from the sources, or the compiled bundle (build it first). */
export type ServerEntry = 'tsx' | 'compiled';

export const serverArgs = (entry: ServerEntry): string[] =>
  entry === 'compiled' ? ['--max-semi-space-size=2', 'dist/server/server.js'] : ['--import', 'tsx', 'src/server.ts'];

export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 30000,
  entry: ServerEntry = process.env.SERVER_ENTRY === 'compiled' ? 'compiled' : 'tsx',
): Promise<ServerProcess> {
  const child = spawn(process.execPath, serverArgs(entry), {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SCHEDULER_INTERVAL_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : code);
      resolve(code);
    }),
  );
  readline.createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /"msg":"listening"/.test(line) && /"url":"([^"]+)"/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    lines,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}
