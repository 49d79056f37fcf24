"""Content-Security-Policy for every response (Django 5.2 has none built in), and which views may be framed."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_exempt

# Our pages load only our own files: no inline scripts or styles, no framing.
STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Django's admin templates still carry a few inline styles.
ADMIN_POLICY = STRICT_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def embeddable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let other sites frame this view: `frame-ancestors` from TIMELINE_EMBED_FRAME_ANCESTORS, not 'none'."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.embeddable = True
        return response

    return xframe_options_exempt(wrapped)


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith("/admin/"):
            policy = ADMIN_POLICY
        elif getattr(response, "embeddable", False):
            ancestors = settings.TIMELINE_EMBED_FRAME_ANCESTORS
            policy = STRICT_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
        else:
            policy = STRICT_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware
