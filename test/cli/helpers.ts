/**
 * Running the real `mentorctl` (cli/bin/mentorctl.js) as a child process in a sandbox: a temporary
 * HOME / XDG_CONFIG_HOME (so the credentials file is the test's own) and DATA_DIR, and a fresh
 * database — a SQLite file in DATA_DIR by default, or a new PostgreSQL database with
 * TEST_DB=postgres. Children run asynchronously, so a server started in this process keeps serving.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Schemas } from '../../src/api/types.ts';
import { loadSpec } from '../../src/openapi/spec.ts';
import { createAjv, SPEC_SCHEMA_ID, toFieldErrors } from '../../src/openapi/validators.ts';
import { freshDatabase, usePostgres } from '../helpers/server.ts';

export const CLI = path.resolve('cli/bin/mentorctl.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without anything that would change how the CLI behaves under test. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(MENTORCTL_|FORCE_COLOR$|NO_COLOR$|NODE_DISABLE_COLORS$|TMUX|DATABASE_URL$|DATA_DIR$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NODE_ENV: 'test' };
}

export class CliSandbox {
  readonly root: string;
  readonly home: string;
  readonly dataDir: string;
  /** The database the local commands use (and a server for this sandbox should use). */
  databaseUrl = '';
  #drop: () => Promise<void> = async () => {};
  /** Extra variables for every run (e.g. MENTORCTL_URL once a server is up). */
  readonly env: Record<string, string> = {};

  private constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'md-cli-'));
    this.home = path.join(this.root, 'home');
    this.dataDir = path.join(this.root, 'data');
    fs.mkdirSync(this.home);
  }

  /** A sandbox with an empty data folder; on SQLite the CLI derives the database from DATA_DIR. */
  static async create(): Promise<CliSandbox> {
    const sandbox = new CliSandbox();
    if (usePostgres()) {
      const db = await freshDatabase(sandbox.root);
      sandbox.databaseUrl = db.url;
      sandbox.env.DATABASE_URL = db.url;
      sandbox.#drop = db.drop;
    } else {
      sandbox.databaseUrl = `sqlite://${path.join(sandbox.dataDir, 'mentor-dashboard.sqlite3')}`;
    }
    return sandbox;
  }

  get credentialsFile(): string {
    return path.join(this.home, '.config', 'mentorctl', 'credentials.json');
  }

  processEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...baseEnv(),
      HOME: this.home,
      XDG_CONFIG_HOME: path.join(this.home, '.config'),
      DATA_DIR: this.dataDir,
      ...this.env,
      ...extra,
    };
  }

  /** Runs `mentorctl args…` with stdin a closed pipe (not a terminal). */
  run(args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: this.processEnv(extra), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
  }

  /** Runs and expects exit 0; returns the result. */
  async ok(args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> {
    const result = await this.run(args, extra);
    expect(result.code, `mentorctl ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`).to.equal(0);
    return result;
  }

  /** Runs with --json and parses stdout. */
  async json<T = any>(args: readonly string[], extra: Record<string, string> = {}): Promise<T> {
    const { stdout } = await this.ok([...args, '--json'], extra);
    return JSON.parse(stdout) as T;
  }

  async cleanup(): Promise<void> {
    await this.#drop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

let ajv: Ajv2020 | undefined;

/** Asserts `value` matches a schema of openapi.yaml (`AdminUser`), or an array of it (`AdminUser[]`). */
export function expectSchema(value: unknown, schema: `${keyof Schemas}` | `${keyof Schemas}[]`): void {
  ajv ??= createAjv(loadSpec(), { coerce: false });
  const name = schema.replace(/\[\]$/, '');
  const ref = { $ref: `${SPEC_SCHEMA_ID}#/components/schemas/${name}` };
  const validate = ajv.compile(schema.endsWith('[]') ? { type: 'array', items: ref } : ref);
  const errors = validate(value) ? [] : toFieldErrors('body', validate.errors);
  expect(errors, `output does not match ${schema}`).to.deep.equal([]);
}

/** No colour or cursor escape sequences at all. */
export function expectPlain(text: string): void {
  expect(text).not.to.match(/\x1b\[/);
}
