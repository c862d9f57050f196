/**
 * Redis command -> family, the `family` label of the command metrics (never the key, never the command
 * itself: a service sends a few dozen commands, and family is what a dashboard groups by). Families follow
 * the groups of https://redis.io/docs/latest/commands/; anything unlisted is `other`.
 */
const FAMILIES: Record<string, readonly string[]> = {
  string: ['get', 'set', 'setex', 'psetex', 'setnx', 'getset', 'getex', 'getdel', 'mget', 'mset', 'msetnx', 'incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'append', 'strlen', 'getrange', 'setrange', 'lcs'],
  hash: ['hget', 'hset', 'hsetnx', 'hmget', 'hmset', 'hdel', 'hgetall', 'hkeys', 'hvals', 'hlen', 'hexists', 'hincrby', 'hincrbyfloat', 'hscan', 'hstrlen', 'hrandfield'],
  list: ['lpush', 'rpush', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'lset', 'lrem', 'ltrim', 'linsert', 'lmove', 'blmove', 'blpop', 'brpop', 'brpoplpush', 'rpoplpush', 'lpos', 'lmpop', 'blmpop', 'lpushx', 'rpushx'],
  set: ['sadd', 'srem', 'smembers', 'sismember', 'smismember', 'scard', 'spop', 'srandmember', 'sinter', 'sunion', 'sdiff', 'sinterstore', 'sunionstore', 'sdiffstore', 'sscan', 'smove', 'sintercard'],
  sorted_set: ['zadd', 'zrem', 'zrange', 'zrangebyscore', 'zrevrange', 'zrevrangebyscore', 'zrank', 'zrevrank', 'zscore', 'zmscore', 'zcard', 'zcount', 'zincrby', 'zpopmin', 'zpopmax', 'bzpopmin', 'bzpopmax', 'zremrangebyscore', 'zremrangebyrank', 'zscan', 'zunionstore', 'zinterstore', 'zrangestore', 'zmpop', 'bzmpop'],
  key: ['del', 'unlink', 'exists', 'expire', 'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl', 'persist', 'type', 'rename', 'renamenx', 'keys', 'scan', 'touch', 'copy', 'dump', 'restore', 'object', 'randomkey', 'expiretime', 'pexpiretime'],
  stream: ['xadd', 'xread', 'xreadgroup', 'xrange', 'xrevrange', 'xlen', 'xack', 'xclaim', 'xautoclaim', 'xpending', 'xgroup', 'xinfo', 'xtrim', 'xdel'],
  pubsub: ['publish', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'pubsub', 'spublish', 'ssubscribe', 'sunsubscribe'],
  script: ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'script', 'fcall', 'fcall_ro', 'function'],
  transaction: ['multi', 'exec', 'discard', 'watch', 'unwatch'],
  server: ['info', 'dbsize', 'flushdb', 'flushall', 'config', 'time', 'memory', 'slowlog', 'client', 'command', 'lastsave', 'save', 'bgsave', 'bgrewriteaof', 'latency', 'role', 'debug', 'monitor', 'acl', 'cluster', 'module'],
  connection: ['ping', 'auth', 'select', 'hello', 'quit', 'reset', 'echo', 'readonly', 'readwrite'],
};

const BY_COMMAND = new Map<string, string>();
for (const [family, commands] of Object.entries(FAMILIES)) for (const c of commands) BY_COMMAND.set(c, family);

/** The family of a command name (any case); `other` when unknown. */
export function commandFamily(command: string): string {
  return BY_COMMAND.get(command.toLowerCase()) ?? 'other';
}
