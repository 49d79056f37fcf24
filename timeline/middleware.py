"""Response headers django-csp and Django do not cover as we need, which views may be framed, the client's address.

The Content-Security-Policy itself is django-csp's, configured by CONTENT_SECURITY_POLICY in the settings.
"""

from collections.abc import Callable
from functools import wraps

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_replace
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.views.decorators.clickjacking import xframe_options_exempt

ADMIN_PREFIX = "/admin/"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with one exception: Django's admin templates still carry a few inline styles."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(ADMIN_PREFIX):
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
            parts.update = update
        return parts


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let other sites frame this view: `frame-ancestors` from TIMELINE_EMBED_FRAME_ANCESTORS, not 'none'."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Read at each request, so the setting can change without a new decorator.
        framed_by = csp_replace({"frame-ancestors": settings.TIMELINE_EMBED_FRAME_ANCESTORS})
        return framed_by(view)(request, *args, **kwargs)

    return xframe_options_exempt(wrapped)


def permissions_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """`Permissions-Policy` from PERMISSIONS_POLICY: each feature with the origins allowed it (none: `()`)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )
        response.headers.setdefault("Permissions-Policy", policy)
        return response

    return middleware


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless TIMELINE_PROXY_COUNT proxies stand in front: then the address the outermost of them
    saw, which is that many entries from the right of X-Forwarded-For. Entries further left are whatever
    the client chose to send, so trusting them would let anyone pick a new address for each guess.
    """
    proxies = settings.TIMELINE_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [address for address in forwarded if address]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def refuse_nul_in_admin_queries(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The admin's searches and autocompletes put query values straight into queries, and PostgreSQL refuses a
    NUL in any text: such a request is a 400, not a server error. (Public pages validate their own filters.)"""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ADMIN_PREFIX) and any(
            "\x00" in value for values in request.GET.lists() for value in values[1]
        ):
            return HttpResponseBadRequest("A query value holds a NUL character.", content_type="text/plain")
        return get_response(request)

    return middleware
