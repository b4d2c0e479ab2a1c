"""Loaded by schemathesis (`hooks` in dev/schemathesis.toml) before it runs.

Works around CPython gh-106905 (Python 3.11.0 to 3.11.7): `ast.parse` can
raise "SystemError: AST constructor recursion depth mismatch" when called
deep in the stack. Hypothesis calls it to describe a lambda in a strategy's
repr, which schemathesis' coverage phase builds while validating recursive
strategies, so the run stopped with a Runtime Error that says nothing about
the API. Here a description that fails that way is replaced by a generic
one; nothing else changes. Python 3.11.8+ and 3.12+ need no workaround, and
on them this file does nothing.
"""

import sys

if sys.version_info[:2] == (3, 11) and sys.version_info < (3, 11, 8):
    from hypothesis.internal import lambda_sources

    _describe = lambda_sources.lambda_description

    def _lambda_description(f):
        try:
            return _describe(f)
        except SystemError:
            return "lambda: <source not parsed, CPython gh-106905>"

    lambda_sources.lambda_description = _lambda_description
