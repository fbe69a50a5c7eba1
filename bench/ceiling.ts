import { execFileSync } from 'node:child_process';
import { findRedisServerBinary } from '../src/testing/redis-server.js';

export interface Ceiling {
  label: string;
  requestsPerSecond: number;
}

/**
 * What the Redis server itself can do at the bench's concurrency, measured with redis-benchmark (when
 * installed): one connection, 1 KB values, one request at a time and 50 pipelined.
 */
export function redisCeiling(redisUrl: string, quick: boolean): Ceiling[] {
  const binary = findRedisServerBinary()?.replace(/redis-server$/, 'redis-benchmark');
  if (!binary) return [];
  const { hostname, port } = new URL(redisUrl);
  const measure = (pipeline: number): Ceiling[] => {
    const output = execFileSync(
      binary,
      [
        '-h',
        hostname,
        '-p',
        port,
        '-c',
        '1',
        '-P',
        String(pipeline),
        '-n',
        quick ? '20000' : '100000',
        '-d',
        '1024',
        '-t',
        'get,set',
        '-q',
      ],
      { encoding: 'utf8' },
    );
    return [...output.matchAll(/^(GET|SET): ([\d.]+) requests per second/gm)].map((m) => ({
      label: `redis-benchmark ${m[1]} 1 KB, ${pipeline === 1 ? 'sequential' : `${pipeline} pipelined`}`,
      requestsPerSecond: Number(m[2]),
    }));
  };
  try {
    return [...measure(1), ...measure(50)];
  } catch {
    return [];
  }
}
