/**
 * Our server for the HTTP benchmarks: the production start-up (`startServer` from src/server.ts,
 * configured from the environment like `npm start`), in a child process of its own. Tells the
 * parent its URL over IPC, so the benchmark works at every LOG_LEVEL (the "listening" log line
 * is not needed) and the access log can go wherever the parent points stdout.
 */
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';

const running = await startServer(loadConfig());
process.send!({ url: running.url });
process.on('SIGTERM', () => {
  running.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
