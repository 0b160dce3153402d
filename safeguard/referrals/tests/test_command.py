import pytest
from django.core.management import CommandError, call_command

from safeguard.referrals.models import ImportState, ReferralImport

from .conftest import jsonl, record

pytestmark = pytest.mark.django_db


def test_command_imports_a_file_with_a_progress_bar(tmp_path, capsys):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(jsonl(*(record(n) for n in range(1, 6))))
    call_command("import_referrals", str(path), "--partner", "NCB Ruritania", "--chunk", "2")
    imp = ReferralImport.objects.get()
    assert imp.state == ImportState.COMPLETED and imp.accepted == 5
    captured = capsys.readouterr()
    assert "5 accepted" in captured.out
    assert "import " in captured.err  # tqdm writes its bar to stderr


def test_command_csv_with_unmapped_columns_stops_with_the_reason(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("Type,When,Nick\nonline_enticement_of_children,2026-10-01T12:00:00Z,sam\n")
    with pytest.raises(CommandError, match="Columns not in the documented header"):
        call_command("import_referrals", str(path), "--partner", "NCB", "--no-progress")
    call_command(
        "import_referrals",
        str(path),
        "--partner",
        "NCB",
        "--no-progress",
        "--map",
        "Type=incident_type",
        "--map",
        "When=incident_datetime",
        "--map",
        "Nick=screen_name",
    )
    assert ReferralImport.objects.filter(state=ImportState.COMPLETED).get().accepted == 1


def test_command_resumes_an_interrupted_import(tmp_path):
    path = tmp_path / "lines.jsonl"
    path.write_bytes(jsonl(*(record(n) for n in range(1, 6))))
    call_command("import_referrals", str(path), "--partner", "NCB", "--no-progress")
    imp = ReferralImport.objects.get()
    with pytest.raises(CommandError, match="cannot be resumed"):
        call_command("import_referrals", "--resume", str(imp.pk), "--no-progress")
