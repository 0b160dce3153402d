"""The Redis cache backend keeps one client per connection pool (safeguard/core/cache.py, ADR 0094)."""

from safeguard.core.cache import RedisCache, ReusingRedisCacheClient


def test_one_client_per_pool_reused_across_calls():
    # Building clients does not connect, so no Redis server is needed here.
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    client = cache._cache
    assert isinstance(client, ReusingRedisCacheClient)
    first = client.get_client("a")
    assert client.get_client("b") is first
    assert client.get_client("c", write=True) is first  # one server: reads and writes share its pool
    assert first.connection_pool is client._get_connection_pool(False)  # type: ignore[attr-defined]
