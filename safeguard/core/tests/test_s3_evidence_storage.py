"""Evidence in an S3-compatible bucket (SAFEGUARD_EVIDENCE_STORAGE=s3), against moto's S3 server over HTTP."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from safeguard.core.readiness import check_storage

moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server", reason="moto[server] is not installed")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    import socket

    import boto3

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="y"
    )
    client.create_bucket(Bucket="evidence-test", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence-test",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": "x",
                "secret_key": "y",
                "location": "evidence",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return client


def test_evidence_round_trips_through_the_bucket(s3_storage):
    storage = storages["evidence"]
    name = storage.save("partners/ab/sealed.sgev", ContentFile(b"\x00sealed-bytes\xff"))
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket="evidence-test")["Contents"]]
    assert f"evidence/{name}" in keys
    assert storage.open(name).read() == b"\x00sealed-bytes\xff"
    storage.delete(name)
    assert not storage.exists(name)


def test_vault_seals_before_the_bytes_reach_the_bucket(s3_storage):
    from safeguard.core.vault.storage import Vault

    plaintext = b"generated test pattern " * 50
    sealed = Vault().put_bytes(plaintext, kind="tests")
    stored = s3_storage.get_object(Bucket="evidence-test", Key=f"evidence/{sealed.stored_name}")["Body"].read()
    assert plaintext not in stored  # ciphertext only
    assert Vault().read_plaintext(sealed.stored_name, max_bytes=10_000) == plaintext


def test_readiness_writes_to_the_bucket(s3_storage):
    assert check_storage().ok
