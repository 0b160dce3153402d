"""One error shape for every rejected API request: {"errors": [{"loc": [...], "message": ..., "type": ...}]}."""

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str,
        loc: list | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.loc = loc or []
        self.headers = headers or {}


def error_body(message: str, *, type: str, loc: list | None = None) -> dict:
    return {"errors": [{"loc": loc or [], "message": message, "type": type}]}


def error_response(status: int, body: dict, headers: dict | None = None) -> HttpResponse:
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def pydantic_errors(errors, *, prefix: tuple = ()) -> list[dict]:
    """Pydantic/ninja error dicts in our shape. Drops ninja's body-parameter name from the path."""
    out = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            del loc[1]
        out.append(
            {
                "loc": [*prefix, *loc],
                "message": str(error.get("msg", "Invalid value")),
                "type": str(error.get("type", "value_error")),
            }
        )
    return out


def not_found(request: HttpRequest | None = None) -> ApiError:
    # The same answer for "no such report" and "someone else's report": existence is not revealed.
    return ApiError(404, "No report with this id.", type="not_found", loc=["path", "report_id"])
