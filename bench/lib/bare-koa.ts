/**
 * The baseline of the HTTP benchmarks: a bare Koa hello-world, started the same way as our server
 * (a child process running TypeScript through tsx, one `http.Server`, keep-alive), so the ratio
 * measures what our middleware, validation, authentication, database and presenters cost.
 * Tells the parent its URL over IPC.
 */
import http from 'node:http';
import Koa from 'koa';

const app = new Koa();
app.use(async function hello(ctx) {
  ctx.body = { hello: 'world' };
});

const server = http.createServer(app.callback());
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.send!({ url: `http://127.0.0.1:${port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
