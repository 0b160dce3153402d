"""Education benchmarks: importing 6,000 paper survey responses and analysing them (SQLite, in memory).

Prints `name: value unit` lines. Run: `.venv/bin/python bench/bench_education.py`.
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.test_settings")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "sqlite://:memory:")

import django

django.setup()

from _django import sized  # noqa: E402
from django.core.management import call_command  # noqa: E402

RESPONSES = sized(6000, 60)


def main() -> None:
    call_command("migrate", verbosity=0)
    from safeguard.audit.services import Actor
    from safeguard.education import analysis
    from safeguard.education.models import QuestionKind
    from safeguard.education.surveys import QuestionSpec, create_survey, import_responses_csv

    yes_no = [("yes", "Yes"), ("no", "No")]
    survey = create_survey(
        title="bench",
        questions=[
            QuestionSpec("met_offline", "Met offline?", QuestionKind.SINGLE, yes_no),
            QuestionSpec(
                "took_friend", "Took a friend?", QuestionKind.SINGLE, yes_no, condition=("met_offline", "yes")
            ),
            QuestionSpec("apps", "Apps", QuestionKind.MULTIPLE, [("a", "A"), ("b", "B"), ("c", "C")]),
            QuestionSpec("confidence", "Confidence", QuestionKind.SCALE, scale=(1, 5)),
        ],
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["age_band", "met_offline", "took_friend", "apps", "confidence"])
    for i in range(RESPONSES):
        met = i % 4 == 0
        writer.writerow(["11-13" if i % 2 else "14-18", "yes" if met else "no", "yes" if met else "", "a;b", 1 + i % 5])
    started = time.perf_counter()
    import_responses_csv(actor=Actor.system("bench"), survey=survey, data=out.getvalue())
    imported = time.perf_counter() - started
    started = time.perf_counter()
    results = analysis.survey_report(survey, by=analysis.AGE_BAND)
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    analysis.to_xlsx(results, title="bench")
    exported = time.perf_counter() - started
    print(f"education_import_6000_responses: {imported:.2f} s")
    print(f"education_import_rate: {RESPONSES / imported:.0f} responses/s")
    print(f"education_analyse_6000_with_crosstab: {analysed * 1000:.0f} ms")
    print(f"education_export_xlsx: {exported * 1000:.0f} ms")


if __name__ == "__main__":
    main()
