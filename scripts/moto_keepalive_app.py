"""moto's WSGI app for gunicorn (gthread worker: HTTP/1.1 keep-alive, which werkzeug's server refuses).

For the benches (scripts/local_aws.start_keepalive_moto):
`gunicorn -k gthread --pythonpath scripts moto_keepalive_app:app`.
"""

from local_aws import serialize_moto_dynamodb
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

serialize_moto_dynamodb()  # see local_aws: moto's TransactWriteItems is not safe under concurrent requests
app = DomainDispatcherApplication(create_backend_app)
