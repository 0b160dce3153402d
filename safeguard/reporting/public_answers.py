"""What the public journey asked beyond the report's columns, read from `Report.details["public_web"]`.

Written by `journey.report_fields`:

    details["public_web"] = {
        "danger_now_answer": "yes" | "no" | "not_sure",
        "child_age": int | None,            # the child's age (a young person's own), 0 to 17
        "child_age_answer": "given" | "not_sure" | "rather_not_say",
        "professional": {                   # professionals only
            "organisation": str, "job_role": str, "child_setting": str,
            "actions_taken": [ActionTaken values], "action_other": str,
        },
    }

Pure functions of the details dict, safe on any report (another source, an older report, a hand-edited row):
triage's victim-age factor reads `child_age`, the staff report page the words.
"""

from .models import ActionTaken

GIVEN, NOT_SURE, RATHER_NOT_SAY = "given", "not_sure", "rather_not_say"
AGE_ANSWERS = (GIVEN, NOT_SURE, RATHER_NOT_SAY)
PROFESSIONAL_TEXT = ("organisation", "job_role", "child_setting", "action_other")


def _public_web(details: dict) -> dict:
    found = details.get("public_web") if isinstance(details, dict) else None
    return found if isinstance(found, dict) else {}


def child_age(details: dict) -> int | None:
    """The age the reporter gave for the child (or for themselves, a young person), or None."""
    age = _public_web(details).get("child_age")
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 17:
        return None
    return age


def child_age_answer(details: dict) -> str:
    """ "given", "not_sure" or "rather_not_say"; "" when the question was not asked (another source, older report)."""
    answer = _public_web(details).get("child_age_answer")
    return answer if answer in AGE_ANSWERS else ""


def professional(details: dict) -> dict:
    """A professional's context: organisation, job_role, child_setting, actions_taken (list), action_other.

    Empty when none was given (not a professional, or a report from another route). Only the known keys, with
    text as str and actions as a list of known ActionTaken values.
    """
    found = _public_web(details).get("professional")
    if not isinstance(found, dict):
        return {}
    tidy: dict = {key: found[key] for key in PROFESSIONAL_TEXT if isinstance(found.get(key), str)}
    actions = found.get("actions_taken")
    if isinstance(actions, list):
        tidy["actions_taken"] = [a for a in actions if a in ActionTaken.values]
    return tidy


def child_age_in_words(details: dict) -> str:
    """For staff: "13", "Not sure", "Would rather not say" or "Not asked"."""
    age, answer = child_age(details), child_age_answer(details)
    if answer == GIVEN and age is not None:
        return f"{age} years old"
    return {NOT_SURE: "Not sure", RATHER_NOT_SAY: "Would rather not say"}.get(answer, "Not asked")


PROFESSIONAL_LABELS = {
    "organisation": "Organisation",
    "job_role": "Role",
    "child_setting": "The child's school or setting",
    "actions_taken": "What has been done already",
}


def actions_in_words(found: dict) -> list[str]:
    """The actions already taken, as words ("Something else: <what they typed>")."""
    other = found.get("action_other", "")
    return [
        f"{ActionTaken(a).label}: {other}" if a == ActionTaken.SOMETHING_ELSE and other else ActionTaken(a).label
        for a in found.get("actions_taken", [])
        if a in ActionTaken.values
    ]


def professional_rows(details: dict) -> list[tuple[str, str]]:
    """For staff: the professional's context as (label, words) rows, "Not given" where blank; [] when none."""
    found = professional(details)
    if not found:
        return []
    words = {key: found.get(key, "") for key in PROFESSIONAL_TEXT}
    words["actions_taken"] = "\n".join(actions_in_words(found))
    return [(label, words[key] or "Not given") for key, label in PROFESSIONAL_LABELS.items()]
