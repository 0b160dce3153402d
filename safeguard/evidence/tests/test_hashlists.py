import io
import json

import pytest
from django.core.management import CommandError, call_command

from safeguard.audit.models import AuditEntry
from safeguard.audit.services import Actor
from safeguard.evidence.hashlists import HashListError, active_hashes, import_hash_list, remove_hash_list
from safeguard.evidence.models import HashList, KnownHash, VersionStatus

pytestmark = pytest.mark.django_db

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "a" * 40
SHA256 = "b" * 64
PDQ = "c" * 64
ACTOR = Actor.system("test")


def _csv(*rows: str, header: str = "hash_type,value,category,source") -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def _import(stream, name="national", file_name="list.csv", **kwargs):
    return import_hash_list(
        list_name=name, list_source="Fictional Agency", stream=stream, file_name=file_name, actor=ACTOR, **kwargs
    )


def test_csv_import_creates_an_active_version():
    result = _import(_csv(f"md5,{MD5.upper()},A1,agency", f"sha1,{SHA1},B1,", f"SHA-256,{SHA256},,", f"pdq,{PDQ},A2,x"))
    assert result.applied and result.imported == 4
    version = result.version
    assert version.number == 1 and version.status == VersionStatus.ACTIVE and version.entry_count == 4
    assert len(version.source_file_sha256) == 64
    assert KnownHash.objects.get(hash_type="md5").value == MD5  # lower-cased
    assert AuditEntry.objects.filter(object_type="evidence.hashlistversion", action="collection").count() == 1


def test_bad_rows_are_reported_with_line_numbers_and_nothing_changes():
    result = _import(
        _csv(f"md5,{MD5},A1,", "md5,xyz,A1,", f"crc32,{MD5},,", f"sha1,{SHA1[:-1]},,", f"md5,{MD5},A1,x,extra")
    )
    assert not result.applied
    assert [str(p) for p in result.problems] == [
        "line 3: MD5 value is not hexadecimal",
        "line 4: unknown hash type 'crc32' (use md5, sha1, sha256, pdq or vpdq)",
        "line 5: SHA-1 value must be 40 hex characters, not 39",
        "line 6: more fields than the header names",
    ]
    assert not KnownHash.objects.exists()
    assert not HashList.objects.exists()


def test_bad_rows_can_be_skipped_on_request():
    result = _import(_csv(f"md5,{MD5},A1,", "md5,xyz,A1,"), allow_bad_rows=True)
    assert result.applied and result.imported == 1 and result.problem_count == 1
    assert result.version.skipped_rows == 1


def test_a_csv_without_the_needed_columns_is_refused():
    with pytest.raises(HashListError, match="must include hash_type and value"):
        _import(_csv(f"{MD5}", header="md5"))


def test_replacement_supersedes_the_previous_version_atomically():
    first = _import(_csv(f"md5,{MD5},A1,")).version
    second = _import(_csv(f"sha1,{SHA1},B2,")).version
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and second.status == VersionStatus.ACTIVE
    assert second.number == 2
    assert list(active_hashes().values_list("value", flat=True)) == [SHA1]


def test_a_failed_replacement_leaves_the_active_version_alone():
    first = _import(_csv(f"md5,{MD5},A1,")).version
    assert not _import(_csv("md5,bad,,")).applied
    first.refresh_from_db()
    assert first.status == VersionStatus.ACTIVE
    assert list(active_hashes().values_list("value", flat=True)) == [MD5]


def test_removal_stops_matching_but_keeps_history():
    version = _import(_csv(f"md5,{MD5},A1,")).version
    remove_hash_list(hash_list=version.hash_list, actor=ACTOR, reason="source withdrew the list")
    version.refresh_from_db()
    assert version.status == VersionStatus.REMOVED
    assert not active_hashes().exists()
    assert KnownHash.objects.count() == 1


def _vics(media: list[dict]) -> io.BytesIO:
    return io.BytesIO(json.dumps({"odata.metadata": "x", "value": [{"MediaID": 1, "Media": media}]}).encode())


def test_vics_json_import():
    media = [
        {"MD5": MD5, "SHA1": SHA1, "Category": 1, "Series": "Fictional Series", "VictimIdentified": True},
        {"SHA1": "d" * 40, "PhotoDNA": "ignored", "Category": 2, "VictimIdentified": False, "Tags": ["t1"]},
    ]
    result = _import(_vics(media), file_name="export.json")
    assert result.applied and result.imported == 3
    assert result.version.source_format == "vics"
    md5 = KnownHash.objects.get(hash_type="md5")
    assert (md5.category, md5.series, md5.victim_identified) == ("1", "Fictional Series", True)
    assert KnownHash.objects.get(value="d" * 40).tags == ["t1"]


def test_vics_bad_items_are_reported_by_position():
    media = [{"MD5": MD5}, {"MD5": "zz"}, {"PhotoDNA": "only"}, {"MD5": MD5, "VictimIdentified": "perhaps"}]
    result = _import(_vics(media), file_name="export.json")
    assert not result.applied
    assert [p.where for p in result.problems] == [
        "item 2 (value[0].Media[1])",
        "item 3 (value[0].Media[2])",
        "item 4 (value[0].Media[3])",
    ]
    assert "VictimIdentified must be true or false" in result.problems[2].message


def test_malformed_json_is_refused_clearly():
    with pytest.raises(HashListError, match="JSON file is malformed"):
        _import(io.BytesIO(b'{"value": [{"Media": [{"MD5": "'), file_name="broken.json")


def test_import_command(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_text(f"hash_type,value,category,source\nmd5,{MD5},A1,agency\n")
    call_command("import_hash_list", "national", str(path), "--source", "Fictional Agency", "--issued-on", "2026-11-01")
    assert "Imported 1 hashes as national version 1" in capsys.readouterr().out
    assert HashList.objects.get().versions.get().issued_on.isoformat() == "2026-11-01"

    path.write_text("hash_type,value\nmd5,nothex\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 bad rows"):
        call_command("import_hash_list", "national", str(path))
    assert "line 2: MD5 value is not hexadecimal" in capsys.readouterr().err

    call_command("import_hash_list", "national", "--remove", "--reason", "test")
    assert not active_hashes().exists()
