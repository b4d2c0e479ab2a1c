"""moto's DynamoDB, served one request at a time, for `cargo xtask conformance`.

moto_server's default threaded server does not isolate TransactWriteItems:
a transaction deep-copies the tables, applies its items and, when cancelled,
restores the copy, erasing any transaction another thread committed in
between. DynamoDB (and dynoxide) serialize transactions on the items they
touch, so our race tests run against moto with requests serialized: they
still interleave our read-modify-write steps request by request, which is
what they test.

Usage: python moto_serial.py PORT   (binds 127.0.0.1 only)
"""

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

if __name__ == "__main__":
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=False, use_reloader=False)
