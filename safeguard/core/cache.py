"""Django's Redis cache backend, with one Redis client per connection pool instead of one per operation.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object for every cache call, and redis-py
(8.x) fills a case-insensitive table of ~170 response callbacks in each constructor: about 0.5-1 ms of CPU
per cache operation on the 2-core reference machine, more than the network round trip itself. Every rate
limit, partner-key lookup and cached page pays it (ADR 0094). A `redis.Redis` object is thread-safe and
holds no connection of its own (the pool does, and the pool re-creates its connections after a fork), so
one per pool is enough. Everything else (serialisation, key handling, timeouts) is Django's own.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's own, not in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
