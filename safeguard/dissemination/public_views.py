"""Acknowledging a package by signed link: an overseas officer confirms receipt with their name, no account needed.

The page shows only the package reference and the recipient's name; the package itself travels through the
recipient's secure contact point, never through this link.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import services
from .links import LinkProblem, package_for_token
from .models import DisseminationStatus


@never_cache
def acknowledge(request, token):
    try:
        package = package_for_token(token)
    except LinkProblem as exc:
        return render(request, "dissemination/link_problem.html", {"problem": str(exc)}, status=400)
    errors, name = {}, ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            package = services.acknowledge(package=package, name=name)
        except ValidationError as exc:
            errors = (
                {field: " ".join(e.messages[0] for e in errs) for field, errs in exc.error_dict.items()}
                if hasattr(exc, "error_dict")
                else {"name": " ".join(exc.messages)}
            )
    done = package.status == DisseminationStatus.ACKNOWLEDGED
    return render(
        request,
        "dissemination/acknowledge.html",
        {"package": package, "errors": errors, "name": name, "done": done},
        status=400 if errors else 200,
    )
