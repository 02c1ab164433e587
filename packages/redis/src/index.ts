// @byor/redis: a Redis backplane for @byor/hub, so that several `byor serve` nodes share runtimes and apps.
export { redisBackplane, type RedisBackplane, type RedisBackplaneLogger, type RedisBackplaneOptions } from "./redis-backplane.js";
