"""Business rules as small classes whose docstring is the message a person sees (after tamato's
`common/business_rules.py`). A model lists the rules that guard its changes; a service checks them before writing,
and each rule has one test. Use for rules a person can break by what they do (not for input validation).

    class ReasonGiven(BusinessRule):
        \"\"\"Give the reason for the assessment.\"\"\"

        def is_broken(self, *, reason, **context) -> bool:
            return not reason.strip()
"""

from __future__ import annotations

import inspect


class BusinessRuleViolation(Exception):
    def __init__(self, rule: type[BusinessRule], message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


class BusinessRule:
    """A rule; subclasses give the message as their docstring and implement `is_broken`."""

    @classmethod
    def message(cls, **context) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.__name__).format(**context)

    def is_broken(self, **context) -> bool:  # pragma: no cover - every rule implements it
        raise NotImplementedError

    @classmethod
    def check(cls, **context) -> None:
        if cls().is_broken(**context):
            raise BusinessRuleViolation(cls, cls.message(**context))


def check_rules(rules, **context) -> None:
    """Check each rule in order; the first broken one raises BusinessRuleViolation with its message."""
    for rule in rules:
        rule.check(**context)
