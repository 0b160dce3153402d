import io

import pytest
from django.core.management import CommandError, call_command

from safeguard.routing.models import PostcodeForceArea, PostcodeImport, Recipient
from safeguard.routing.services import suggest_recipient

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="lookup.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path, *args):
    call_command("import_postcode_lookup", path, *args, stdout=io.StringIO(), stderr=io.StringIO())
    return PostcodeImport.objects.first()


def test_nspl_style_file_loads_by_force_area_code(tmp_path):
    path = write(tmp_path, "pcd,pcds,pfa,lat\nM1  1AE,M1 1AE,E23000005,53.4\nLS1 4AP,LS1 4AP,E23000010,53.8\n")
    result = run(path)
    assert result.rows_loaded == 2 and result.rows_refused == 0
    assert PostcodeForceArea.objects.get(postcode="LS1 4AP").recipient.code == "west-yorkshire"
    assert suggest_recipient(postcode="M1 1AE").basis == "postcode lookup"


def test_force_name_column_works_without_codes(tmp_path):
    path = write(tmp_path, "Postcode,Police Force Area\nCF10 1AA,South Wales Police\nEC1A 1BB,City of London Police\n")
    result = run(path)
    assert result.rows_loaded == 2
    assert PostcodeForceArea.objects.get(postcode="EC1A 1BB").recipient.code == "city-of-london"


def test_bad_lines_are_refused_by_number_and_good_ones_kept(tmp_path):
    path = write(
        tmp_path,
        "postcode,pfa\nM1 1AE,E23000005\nNOTAPOSTCODE,E23000005\nLS1 4AP,\nB1 1AA,X99999999\nB2 4QA\n"
        "M1 1AE,E23000032\n",
    )
    result = run(path)
    assert result.rows_loaded == 1 and result.rows_refused == 4
    joined = "\n".join(result.errors)
    assert "line 3: 'NOTAPOSTCODE' is not a full UK postcode" in joined
    assert "line 4: LS1 4AP has no police force area" in joined
    assert "line 5: police force area 'X99999999' matches no recipient" in joined
    assert "line 6: has 1 columns" in joined
    assert "repeated a postcode" in joined
    assert PostcodeForceArea.objects.get(postcode="M1 1AE").recipient.code == "greater-manchester"  # the first kept


def test_reimport_replaces_the_lookup_idempotently(tmp_path):
    first = write(tmp_path, "postcode,pfa\nM1 1AE,E23000005\nLS1 4AP,E23000010\n", "a.csv")
    run(first)
    run(first)
    assert PostcodeForceArea.objects.count() == 2
    second = write(tmp_path, "postcode,pfa\nCF10 1AA,W15000003\n", "b.csv")
    run(second)
    assert list(PostcodeForceArea.objects.values_list("postcode", flat=True)) == ["CF10 1AA"]


def test_unusable_file_changes_nothing(tmp_path):
    run(write(tmp_path, "postcode,pfa\nM1 1AE,E23000005\n", "good.csv"))
    with pytest.raises(CommandError, match=r"No police force area column found.*Nothing was changed"):
        run(write(tmp_path, "postcode,colour\nLS1 4AP,blue\n", "bad.csv"))
    with pytest.raises(CommandError, match="no column named 'zip'"):
        run(write(tmp_path, "postcode,pfa\n", "c.csv"), "--postcode-column", "zip")
    with pytest.raises(CommandError, match="empty"):
        run(write(tmp_path, "", "empty.csv"))
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"))
    assert list(PostcodeForceArea.objects.values_list("postcode", flat=True)) == ["M1 1AE"]


def test_non_utf8_file_is_refused_clearly(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("postcode,pfa_name\nM1 1AE,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="give --encoding"):
        run(str(path))


def test_edited_force_area_code_is_used(tmp_path):
    Recipient.objects.filter(code="kent").update(pfa_code="E23999999")
    run(write(tmp_path, "postcode,pfa\nCT1 1AA,E23999999\n"))
    assert PostcodeForceArea.objects.get().recipient.code == "kent"


def test_recipients_page_shows_the_lookup_and_refused_lines(tmp_path, supervisor_client):
    from django.urls import reverse

    run(write(tmp_path, "postcode,pfa\nM1 1AE,E23000005\nNOPE,E23000005\n"))
    page = supervisor_client.get(reverse("routing:recipients")).content.decode()
    assert "1 postcode loaded, last from lookup.csv" in page
    assert "line 3: &#x27;NOPE&#x27; is not a full UK postcode" in page
