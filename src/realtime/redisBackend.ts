/**
 * The scale-out backend (REDIS_URL): channels over Redis pub/sub, room presence in Redis.
 *
 * - Channels: one Redis channel per hub channel (`<prefix>ch:<name>`), SUBSCRIBEd only while this
 *   process has a socket on it. Every envelope carries the publishing process's id, so a process
 *   skips its own (it delivered them locally already). All publishes of a process go through one
 *   connection, so other processes see them in the order they were made (a presence `join`
 *   always precedes the newcomer's offers).
 * - Presence: per room a sorted set (peer → expiry time) and a hash (peer → member JSON with its
 *   join `seq`). Joins and sweeps are Lua scripts, so the join order and "who was there" are
 *   decided atomically by Redis. Each process refreshes its own members on every heartbeat; a
 *   process that stops (crash, network split) lets its members expire, and the first process to
 *   sweep an expired member removes it and announces the leave (the script hands each dead member
 *   to exactly one sweeper). A member swept although its socket is alive (its process lost Redis
 *   for longer than the TTL) is told to rejoin.
 *
 * Redis trouble never crashes the process: connections retry forever, failures are logged
 * (throttled) with their reason, pushes made while Redis is away are lost (clients catch up over
 * REST after reconnecting), and subscriptions are re-established whenever the connection is ready.
 */
import crypto from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { loadRedis } from '../lib/ioredis.ts';
import type { Logger } from '../logger.ts';
import type { Backend, Broker, Envelope, EnvelopeHandler, MemberRecord, Presence } from './backend.ts';
import type { RoomMember } from './protocol.ts';

export interface RedisBackendOptions {
  url: string;
  prefix: string;
  /** How long a member stays without a refresh (a few heartbeats). */
  presenceTtlMs: number;
  logger: Logger;
}

/** How long `listen` waits for Redis to confirm a subscription before going on without it. */
const LISTEN_WAIT_MS = 1000;
const WARN_INTERVAL_MS = 30_000;

const JOIN_SCRIPT = `
local seq = redis.call('INCR', KEYS[3])
local member = cjson.decode(ARGV[2])
member['seq'] = seq
local others = {}
for _, peer in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[4], '+inf')) do
  if peer ~= ARGV[1] then
    local info = redis.call('HGET', KEYS[2], peer)
    if info then others[#others + 1] = info end
  end
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(member))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return {seq, others}
`;

const EXPIRED_SCRIPT = `
local dead = {}
for _, peer in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])) do
  local info = redis.call('HGET', KEYS[2], peer)
  redis.call('ZREM', KEYS[1], peer)
  redis.call('HDEL', KEYS[2], peer)
  if info then dead[#dead + 1] = info end
end
return dead
`;

interface RoomScripts {
  roomJoin(members: string, info: string, seq: string, peer: string, member: string, expiresAt: number, now: number, ttl: number): Promise<[number, string[]]>;
  roomExpired(members: string, info: string, now: number): Promise<string[]>;
}

/** Logs a recurring problem once per interval, with how many repeats were suppressed. */
function throttledWarn(logger: Logger) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key: string, err: unknown, message: string) => {
    const now = Date.now();
    const entry = last.get(key);
    if (entry && now - entry.at < WARN_INTERVAL_MS) {
      entry.suppressed += 1;
      return;
    }
    logger.warn({ reason: err instanceof Error ? err.message : String(err), suppressed: entry?.suppressed ?? 0 }, message);
    last.set(key, { at: now, suppressed: 0 });
  };
}

export function createRedisBackend(options: RedisBackendOptions, onEnvelope: EnvelopeHandler): Backend {
  const { url, prefix, presenceTtlMs, logger } = options;
  const warn = throttledWarn(logger);
  const origin = crypto.randomUUID();
  const connection: RedisOptions = {
    // Commands wait for a (re)connection only briefly, then fail and are logged.
    maxRetriesPerRequest: 1,
    // Subscriptions are re-established by us on every `ready` (see below), including those that
    // failed while Redis was away, which ioredis's own resubscription would not know about.
    autoResubscribe: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  };
  const Redis = loadRedis();
  const commands = new Redis(url, { ...connection, connectionName: 'md-ws-commands' }) as Redis & RoomScripts;
  const subscriber = new Redis(url, { ...connection, connectionName: 'md-ws-subscriber' });
  commands.on('error', (err) => warn('commands', err, 'redis (realtime) connection problem; retrying'));
  subscriber.on('error', (err) => warn('subscriber', err, 'redis (realtime pub/sub) connection problem; retrying'));
  commands.defineCommand('roomJoin', { numberOfKeys: 3, lua: JOIN_SCRIPT });
  commands.defineCommand('roomExpired', { numberOfKeys: 2, lua: EXPIRED_SCRIPT });

  const channelPrefix = `${prefix}ch:`;
  const channelKey = (channel: string) => channelPrefix + channel;
  const listened = new Set<string>();

  subscriber.on('ready', () => {
    if (listened.size === 0) return;
    subscriber.subscribe(...[...listened].map(channelKey)).catch((err) => warn('resubscribe', err, 'redis resubscription failed'));
  });
  subscriber.on('message', (key: string, raw: string) => {
    if (!key.startsWith(channelPrefix)) return;
    let message: { o: string; e: Envelope };
    try {
      message = JSON.parse(raw);
    } catch (err) {
      warn('decode', err, 'undecodable realtime message on redis; ignored');
      return;
    }
    if (message.o === origin) return;
    try {
      onEnvelope(key.slice(channelPrefix.length), message.e);
    } catch (err) {
      warn('deliver', err, 'realtime message from redis could not be delivered; ignored');
    }
  });

  const broker: Broker = {
    shared: true,
    async listen(channel) {
      listened.add(channel);
      const subscribed = subscriber.subscribe(channelKey(channel)).catch((err) => warn('subscribe', err, 'redis subscribe failed; retried on reconnect'));
      // While Redis is known to be away, go on at once: the subscription is renewed on `ready`.
      if (subscriber.status === 'reconnecting' || subscriber.status === 'end') return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([subscribed, new Promise<void>((resolve) => (timer = setTimeout(resolve, LISTEN_WAIT_MS)))]);
      clearTimeout(timer);
    },
    unlisten(channel) {
      listened.delete(channel);
      subscriber.unsubscribe(channelKey(channel)).catch((err) => warn('unsubscribe', err, 'redis unsubscribe failed'));
    },
    publish(channel, envelope) {
      commands.publish(channelKey(channel), JSON.stringify({ o: origin, e: envelope })).catch((err) => {
        warn('publish', err, 'redis publish failed: the message reached this process only');
      });
    },
  };

  const roomKeys = (room: number) => {
    const base = `${prefix}room:${room}:`;
    return { members: `${base}members`, info: `${base}info`, seq: `${base}seq` };
  };
  // Keys outlive their last refresh a little, so an abandoned room disappears by itself.
  const keyTtlMs = presenceTtlMs * 2;

  const presence: Presence = {
    async join(room, member: RoomMember) {
      const keys = roomKeys(room);
      const now = Date.now();
      const [seq, others] = await commands.roomJoin(
        keys.members,
        keys.info,
        keys.seq,
        member.peer,
        JSON.stringify(member),
        now + presenceTtlMs,
        now,
        keyTtlMs,
      );
      return { seq: Number(seq), others: others.map((raw) => JSON.parse(raw) as MemberRecord) };
    },
    async leave(room, peer) {
      const keys = roomKeys(room);
      const result = await commands.multi().zrem(keys.members, peer).hdel(keys.info, peer).exec();
      const [err, removed] = result?.[0] ?? [];
      if (err) throw err;
      return Number(removed) === 1;
    },
    async refresh(room, members) {
      if (members.length === 0) return [];
      const keys = roomKeys(room);
      const expiresAt = Date.now() + presenceTtlMs;
      const pipeline = commands.pipeline();
      // XX: a member swept while this process could not refresh it (an outage longer than the
      // TTL) is not brought back: the other processes announced its leave, so it must rejoin.
      for (const member of members) pipeline.zscore(keys.members, member.peer).zadd(keys.members, 'XX', expiresAt, member.peer);
      for (const key of Object.values(keys)) pipeline.pexpire(key, keyTtlMs);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      return members.filter((_, i) => results[i * 2]?.[1] === null).map((m) => m.peer);
    },
    async expired(room) {
      const keys = roomKeys(room);
      const dead = await commands.roomExpired(keys.members, keys.info, Date.now());
      return dead.map((raw) => JSON.parse(raw) as MemberRecord);
    },
  };

  return {
    broker,
    presence,
    async close() {
      const quit = async (client: Redis) => {
        // QUIT lets commands already sent complete; a client that is not connected just stops retrying.
        if (client.status === 'ready') {
          await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]).catch(() => {});
        }
        client.disconnect();
      };
      await Promise.all([quit(subscriber), quit(commands)]);
    },
  };
}
