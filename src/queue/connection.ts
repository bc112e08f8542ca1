import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from '../errors.ts';

/**
 * Where the queue lives: a Redis URL, `redis://[user[:password]@]host[:port][/db]`, or
 * `rediss://` for TLS (Node's CA store; NODE_EXTRA_CA_CERTS adds a private CA). The password
 * travels in the URL, so it never needs a flag of its own, and it is never printed.
 */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

const DEFAULT_PORT = 6379;

/** Parses and checks a Redis URL; a bad one is QueueError BAD_REDIS_URL naming it (password masked). */
export function parseRedisUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueError('BAD_REDIS_URL', 'not a URL (expected redis://host:port or rediss://host:port for TLS)', maskPassword(url));
  }
  const bad = (message: string): never => {
    throw new QueueError('BAD_REDIS_URL', message, maskPassword(url));
  };
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') bad(`unsupported scheme ${parsed.protocol} (use redis:// or rediss:// for TLS)`);
  if (parsed.hostname === '') bad('no host');
  const port = parsed.port === '' ? DEFAULT_PORT : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : /^\d+$/.test(dbText) ? Number(dbText) : bad(`database must be a number, got ${JSON.stringify(dbText)}`);
  if (parsed.search !== '' || parsed.hash !== '') bad('query strings and fragments are not supported');
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
    tls: parsed.protocol === 'rediss:',
  };
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function maskPassword(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/**
 * ioredis options for a target. `blocking`: a worker's connections, which BullMQ requires to
 * retry every command for as long as Redis is away (maxRetriesPerRequest null), so a worker
 * rides out a Redis restart; a producer's commands fail after a few tries instead.
 */
export function redisOptions(target: RedisTarget, blocking: boolean): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    // SNI takes a host name only; a certificate for an IP address is matched by its subjectAltName.
    ...(target.tls ? { tls: isIP(target.host) === 0 ? { servername: target.host } : {} } : {}),
    maxRetriesPerRequest: blocking ? null : 3,
    // Reconnect with a growing delay, at most 2 s between tries, for ever: Redis away for a
    // while is a transient condition.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
}

/**
 * Connects once, without retries, and pings: an unreachable Redis or a refused password is a
 * typed error at once, where BullMQ itself would keep retrying in silence.
 */
export async function checkRedis(url: string): Promise<void> {
  const target = parseRedisUrl(url);
  const client = new Redis({ ...redisOptions(target, false), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000 });
  // A refused AUTH during connect comes as an 'error' event, and connect() then rejects with only "Connection is closed".
  let seen: Error | undefined;
  client.on('error', (err: Error) => (seen ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (cause) {
    const message = [seen?.message, (cause as Error).message].filter((m) => m !== undefined).join('; ');
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message)) throw new QueueError('REDIS_AUTH', `Redis refused the credentials (${message.split('\n')[0]})`, maskPassword(url), { cause });
    throw new QueueError('REDIS_UNREACHABLE', `cannot reach Redis (${message.split('\n')[0]})`, maskPassword(url), { cause });
  } finally {
    client.disconnect();
  }
}
