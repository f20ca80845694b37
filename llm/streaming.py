"""Can this request's response be streamed?

Zappa's Lambda handler runs the WSGI app with werkzeug's `Response.from_app`, which collects the whole
body before answering API Gateway, so a stream would only add cost there. Zappa's WSGI environ
(`zappa.handler.LambdaHandler._create_lambda_wsgi_environ`, 0.63) carries `lambda.context`; a WSGI
server (gunicorn, runserver) never sets it.
"""

from __future__ import annotations

from django.http import HttpRequest

LAMBDA_CONTEXT_KEY = "lambda.context"


def streaming_supported(request: HttpRequest) -> bool:
    return LAMBDA_CONTEXT_KEY not in request.META
