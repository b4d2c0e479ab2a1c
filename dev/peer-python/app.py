"""PATCH /accounts/{accountId}/metadata in Python with AWS Lambda Powertools.

The peer that `cargo perf` measures beside the Rust function
`update-account-metadata`: the same contract, the same table, written the
way Powertools' documentation shows it. APIGatewayHttpResolver routes the
request; a middleware refuses bodies that are not JSON (415) or too large
(413) before anything is parsed; the body is parsed with the Parser utility
(pydantic); exception handlers render every error as
`application/problem+json`; the whole handler is `@idempotent` on a
DynamoDBPersistenceLayer (requests with `Idempotency-Key`); Logger and
Metrics write JSON and EMF to stdout.

Same data as the Rust function: the table of `TABLE_NAME` (pk, sk); a
bearer token's credential item is `pk = CREDENTIAL#<sha256 hex>`,
`sk = CREDENTIAL` with `ou_id`; an account is `pk = ACCOUNT#<id>`,
`sk = ACCOUNT` with `ou_id`, `name`, `domain`, `metadata` (a map),
`version`, `updated_at`. Idempotency records live in the same table under
`pk = IDEMPOTENCY#update-account-metadata-python`, expiring through `ttl`.

The write: one UpdateItem merging key by key (`SET metadata.#k = :v`,
`REMOVE metadata.#k`) under `attribute_exists(pk) AND ou_id = :ou AND
size(metadata) <= 50 - keys set`; when that fails, the item as it was
(ReturnValuesOnConditionCheckFailure) tells a missing or foreign account
(404) from one near its key limit, which is then written whole, merged
exactly, under a condition on its version (a concurrent writer makes it
fail, and the merge is planned again).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from datetime import datetime, timezone
from decimal import Decimal
from functools import partial
from http import HTTPStatus
from typing import Annotated, Any, Optional

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.parser import ValidationError, parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator

# Limits: the contract's and the Rust function's (functions/update-account-metadata/src/change.rs).
MAX_BODY_BYTES = 64 * 1024
MAX_METADATA_KEYS = 50
MAX_METADATA_VALUE_BYTES = 500
MAX_METADATA_KEY_CHARS = 40
MAX_METADATA_VALUE_DEPTH = 16
MAX_BODY_DEPTH = 128  # as serde_json's parser in the Rust function
MAX_EXACT_ATTEMPTS = 32
MAX_KEYS_IN_EXPRESSION = 100  # more, and the one-call expression nears DynamoDB's 4 KB limit
JSON_TYPES = ("application/json", "application/merge-patch+json")

TABLE_NAME = os.environ["TABLE_NAME"]
CREDENTIAL_CACHE_TTL = float(os.environ.get("CREDENTIAL_CACHE_TTL_SECONDS") or 0)

logger = Logger()
metrics = Metrics()


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _number(text: str) -> Decimal:
    """A JSON number with a fraction or exponent, as Decimal; out of a double's range is not a number we read."""
    if not math.isfinite(float(text)):
        raise ValueError(f"number out of range: {text}")
    return Decimal(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    fields = dict(pairs)
    if len(fields) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise Problem(HTTPStatus.BAD_REQUEST, "invalid_field", f"{k}: appears twice")
            seen.add(k)
    return fields


app = APIGatewayHttpResolver(
    # Decimal for JSON numbers with a fraction (what boto3 stores as N);
    # NaN and Infinity, which json.loads accepts, and duplicate keys are refused.
    json_body_deserializer=partial(
        json.loads, parse_float=_number, parse_constant=_not_json, object_pairs_hook=_unique_keys
    ),
)
# One client for the handler and the idempotency records, built at init;
# a time budget like the Rust functions' (1 s connect and read, 3 attempts).
dynamodb = boto3.client(
    "dynamodb",
    config=Config(connect_timeout=1, read_timeout=1, retries={"mode": "standard", "total_max_attempts": 3}),
)
persistence = DynamoDBPersistenceLayer(
    table_name=TABLE_NAME,
    key_attr="pk",
    sort_key_attr="sk",
    static_pk_value="IDEMPOTENCY#update-account-metadata-python",
    expiry_attr="ttl",
    boto3_client=dynamodb,
)
idempotency = IdempotencyConfig(
    # Only requests with the header, keyed per credential.
    event_key_jmespath='headers."idempotency-key" && [headers.authorization, headers."idempotency-key"]',
    payload_validation_jmespath='[requestContext.http.method, rawPath, headers."content-type", body]',
    raise_on_no_idempotency_key=False,
    expires_after_seconds=24 * 3600,
)
to_dynamodb = TypeSerializer().serialize


class Problem(Exception):
    """A refusal, rendered as problem+json by `problem_response`."""

    def __init__(self, status: HTTPStatus, code: str, detail: str):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def not_found() -> Problem:
    return Problem(HTTPStatus.NOT_FOUND, "account_not_found", "account not found")


def invalid(field: str, message: str) -> Problem:
    return Problem(HTTPStatus.BAD_REQUEST, "invalid_field", f"{field}: {message}")


# --- The body -------------------------------------------------------------

Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_METADATA_KEY_CHARS)]
DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class MetadataPatch(BaseModel):
    """The body: at least one of name, domain, metadata; nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Optional[Name] = None
    domain: Optional[str] = None
    metadata: Optional[dict[MetadataKey, Any]] = None

    @field_validator("name")
    @classmethod
    def name_is_text(cls, name: Optional[str]) -> Optional[str]:
        if name is not None and (not name.strip() or any(ord(c) < 32 or ord(c) == 127 for c in name)):
            raise ValueError("must not be blank or hold control characters")
        return name

    @field_validator("domain")
    @classmethod
    def domain_is_a_dns_name(cls, domain: Optional[str]) -> Optional[str]:
        if domain is None:
            return None
        if any(c in domain for c in "/:@?#\\"):
            raise ValueError("must be a bare domain name such as acme.com, without scheme, port or path")
        try:
            ascii_name = domain.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise ValueError("is not a valid domain name") from None
        labels = ascii_name.split(".")
        if len(ascii_name) > 253 or not all(DOMAIN_LABEL.match(label) for label in labels):
            raise ValueError("is not a valid domain name")
        if len(labels) < 2 or labels[-1].isdigit():
            raise ValueError("must have at least two labels and a non-numeric top-level domain")
        return ascii_name.encode("ascii").decode("idna").lower()

    @model_validator(mode="after")
    def something_and_no_null(self) -> MetadataPatch:
        for field in ("name", "domain", "metadata"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} must not be null" + ("; set a key to null to remove it" if field == "metadata" else ""))
        return self


def checked_value(key: str, value: Any) -> dict:
    """A metadata value as DynamoDB stores it: at most 500 bytes as compact JSON (413), 16 levels deep (400)."""
    # Numbers as the shortest float text, as the Rust function re-serializes them.
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=float).encode())
    if size > MAX_METADATA_VALUE_BYTES:
        raise Problem(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "metadata_value_too_large",
            f"metadata.{key}: the value is {size} bytes as compact JSON; at most {MAX_METADATA_VALUE_BYTES} are allowed",
        )
    if depth(value) > MAX_METADATA_VALUE_DEPTH:
        raise invalid(f"metadata.{key}", f"nests deeper than {MAX_METADATA_VALUE_DEPTH} levels")
    if has_empty_key(value):
        raise invalid(f"metadata.{key}", "nested objects must not have empty keys")
    try:
        return to_dynamodb(value)
    except (TypeError, ArithmeticError) as e:
        raise invalid(f"metadata.{key}", f"cannot be stored: {e}") from None


def depth(value: Any) -> int:
    """Levels of nesting: 1 for a scalar, `[1]` is 2."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 1


def has_empty_key(value: Any) -> bool:
    """An object at any level with an empty key (DynamoDB cannot store it)."""
    if isinstance(value, dict):
        return "" in value or any(has_empty_key(v) for v in value.values())
    if isinstance(value, list):
        return any(has_empty_key(v) for v in value)
    return False


# --- Authentication -------------------------------------------------------

_credentials: dict[str, tuple[float, str]] = {}


def authenticated(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """The OU of the request's `Authorization: Bearer` token in `app.context["ou"]` (401 otherwise)."""
    app.append_context(ou=principal_ou())
    return next_middleware(app)


def principal_ou() -> str:
    """The OU of the request's bearer token: one strongly consistent GetItem, or the per-container cache."""
    header = app.current_event.headers.get("authorization")
    if header is None:
        raise Problem(HTTPStatus.UNAUTHORIZED, "unauthorized", "send a valid token as `Authorization: Bearer <token>` (missing credentials)")
    scheme, _, token = header.partition(" ")
    token = token.strip(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 512 or not all(33 <= ord(c) <= 126 for c in token):
        raise Problem(HTTPStatus.UNAUTHORIZED, "unauthorized", "send a valid token as `Authorization: Bearer <token>` (malformed credentials)")
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = _credentials.get(digest)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    item = dynamodb.get_item(
        TableName=TABLE_NAME,
        Key={"pk": {"S": f"CREDENTIAL#{digest}"}, "sk": {"S": "CREDENTIAL"}},
        ConsistentRead=True,
    ).get("Item")
    if item is None:
        logger.info("unknown credential", extra={"credential": digest[:8]})
        raise Problem(HTTPStatus.UNAUTHORIZED, "unauthorized", "the token is not valid")
    ou = item["ou_id"]["S"]
    if CREDENTIAL_CACHE_TTL > 0:
        _credentials[digest] = (time.monotonic() + CREDENTIAL_CACHE_TTL, ou)
    return ou


# --- The route ------------------------------------------------------------

ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def addressed_account(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """The account id in `app.context["account_id"]` (400 when missing or invalid)."""
    app.append_context(account_id=checked_account_id())
    return next_middleware(app)


def json_body_within_limits(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    """415 for a body not declared JSON, 413 for one over 64 KiB, before anything is parsed."""
    media_type = (app.current_event.headers.get("content-type") or "").split(";")
    parameters = [p.strip().lower() for p in media_type[1:]]
    if media_type[0].strip().lower() not in JSON_TYPES or parameters not in ([], ["charset=utf-8"]):
        raise Problem(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json or application/merge-patch+json",
        )
    body = app.current_event.decoded_body or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        raise Problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", f"the body is larger than {MAX_BODY_BYTES} bytes")
    return next_middleware(app)


def checked_account_id() -> str:
    """The id as API Gateway extracted it (`{accountId}`, as the Rust function reads it)."""
    account_id = (app.current_event.path_parameters or {}).get("accountId") or ""
    if not account_id:
        raise Problem(HTTPStatus.BAD_REQUEST, "missing_account_id", "the account id is missing from the path")
    if not ACCOUNT_ID.match(account_id):
        raise Problem(HTTPStatus.BAD_REQUEST, "invalid_account_id", "the account id must be 1-128 letters, digits, '_' or '-'")
    return account_id


# In the Rust function's order: who calls, which account, then the body.
@app.patch("/accounts/<account_id>/metadata", middlewares=[authenticated, addressed_account, json_body_within_limits])
def update_account_metadata(account_id: str) -> Response:
    ou, account_id = app.context["ou"], app.context["account_id"]
    body = app.current_event.json_body
    if not isinstance(body, dict):
        raise Problem(HTTPStatus.BAD_REQUEST, "invalid_body", "the body must be a JSON object")
    if depth(body) > MAX_BODY_DEPTH:
        raise Problem(HTTPStatus.BAD_REQUEST, "invalid_body", f"the body nests deeper than {MAX_BODY_DEPTH} levels")
    patch = parse(event=body, model=MetadataPatch)
    if not patch.model_fields_set:
        raise Problem(HTTPStatus.BAD_REQUEST, "nothing_to_update", "the body must include at least one of name, domain or metadata")
    metadata = patch.metadata or {}
    for key in metadata:
        if any(ord(c) < 32 or ord(c) == 127 for c in key):
            raise invalid(f"metadata.{key}", "keys must not hold control characters")
    removals = [k for k, v in metadata.items() if v is None]
    values = {k: checked_value(k, v) for k, v in metadata.items() if v is not None}
    if len(values) > MAX_METADATA_KEYS:
        raise too_many_keys(len(values))
    write(account_id, ou, patch, values, removals)
    metrics.add_metric(name="AccountUpdated", unit=MetricUnit.Count, value=1)
    return Response(status_code=HTTPStatus.NO_CONTENT)


def too_many_keys(would_have: int) -> Problem:
    return Problem(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "too_many_metadata_keys",
        f"the account would have {would_have} metadata keys; at most {MAX_METADATA_KEYS} are allowed",
    )


def write(account_id: str, ou: str, patch: MetadataPatch, values: dict[str, dict], removals: list[str]) -> None:
    """The merge: per key in one UpdateItem, else exact from the item as it is."""
    key = {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": "ACCOUNT"}}
    if len(values) + len(removals) > MAX_KEYS_IN_EXPRESSION:
        item = dynamodb.get_item(TableName=TABLE_NAME, Key=key, ConsistentRead=True).get("Item")
        return write_exact(key, ou, patch, values, removals, item)
    sets, names, expression_values = common(ou, patch)
    removes = []
    condition = "attribute_exists(pk) AND #ou = :ou"
    if patch.metadata is not None:
        names["#m"] = "metadata"
        for i, (k, v) in enumerate(values.items()):
            names[f"#k{i}"], expression_values[f":v{i}"] = k, v
            sets.append(f"#m.#k{i} = :v{i}")
        for i, k in enumerate(removals):
            names[f"#r{i}"] = k
            removes.append(f"#m.#r{i}")
        expression_values[":room"] = {"N": str(MAX_METADATA_KEYS - len(values))}
        condition += " AND size(#m) <= :room"
    old = conditional_update(key, expression(sets, removes), condition, names, expression_values)
    if old is not NO_CONFLICT:
        write_exact(key, ou, patch, values, removals, old)


def write_exact(key: dict, ou: str, patch: MetadataPatch, values: dict[str, dict], removals: list[str], item: Optional[dict]) -> None:
    """The whole merged map from `item` as it is, under a condition on its version; again on a newer item."""
    for _ in range(MAX_EXACT_ATTEMPTS):
        if item is None or item.get("ou_id") != {"S": ou}:
            raise not_found()
        sets, names, expression_values = common(ou, patch)
        if patch.metadata is not None:
            stored = item.get("metadata", {}).get("M", {})
            merged = {k: v for k, v in stored.items() if k not in removals} | values
            if len(merged) > MAX_METADATA_KEYS:
                raise too_many_keys(len(merged))
            names["#m"], expression_values[":merged"] = "metadata", {"M": merged}
            sets.append("#m = :merged")
        if "version" in item:
            expression_values[":seen"] = item["version"]
            condition = "attribute_exists(pk) AND #ou = :ou AND #version = :seen"
        else:
            condition = "attribute_exists(pk) AND #ou = :ou AND attribute_not_exists(#version)"
        item = conditional_update(key, expression(sets, []), condition, names, expression_values)
        if item is NO_CONFLICT:
            return
    raise Problem(HTTPStatus.SERVICE_UNAVAILABLE, "contention", "the account is being updated concurrently; retry shortly")


NO_CONFLICT: Any = object()


def conditional_update(key: dict, update: str, condition: str, names: dict, values: dict) -> Any:
    """One UpdateItem: NO_CONFLICT when written, else the item as it was when the condition failed (None: missing)."""
    try:
        dynamodb.update_item(
            TableName=TABLE_NAME,
            Key=key,
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return NO_CONFLICT
    except ClientError as e:
        if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return e.response.get("Item")


def common(ou: str, patch: MetadataPatch) -> tuple[list[str], dict[str, str], dict[str, dict]]:
    """Name, domain, updated_at and version: what every write sets."""
    sets = ["#updated = :now", "#version = if_not_exists(#version, :zero) + :one"]
    names = {"#ou": "ou_id", "#updated": "updated_at", "#version": "version"}
    now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    values = {":ou": {"S": ou}, ":now": {"S": now}, ":zero": {"N": "0"}, ":one": {"N": "1"}}
    for field in ("name", "domain"):
        value = getattr(patch, field)
        if value is not None:
            names[f"#{field}"], values[f":{field}"] = field, {"S": value}
            sets.append(f"#{field} = :{field}")
    return sets, names, values


def expression(sets: list[str], removes: list[str]) -> str:
    return "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")


# --- Errors: problem+json -------------------------------------------------


def problem_response(status: HTTPStatus, code: str, detail: str) -> Response:
    request_id = app.current_event.request_context.request_id
    headers = {}
    if status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    if status == HTTPStatus.UNSUPPORTED_MEDIA_TYPE:
        headers["Accept-Patch"] = ", ".join(JSON_TYPES)
    if status == HTTPStatus.INTERNAL_SERVER_ERROR:
        detail = f"internal error; quote request id {request_id}"
    body = {"type": "about:blank", "title": status.phrase, "status": int(status), "code": code, "detail": detail, "request_id": request_id}
    metrics.add_metric(name=f"Status{int(status) // 100}xx", unit=MetricUnit.Count, value=1)
    return Response(status_code=status, content_type="application/problem+json", body=json.dumps(body), headers=headers)


@app.exception_handler(Problem)
def refused(e: Problem) -> Response:
    return problem_response(e.status, e.code, e.detail)


@app.exception_handler(ValueError)  # JSONDecodeError, invalid UTF-8, NaN / Infinity, numbers out of range
def invalid_json(e: ValueError) -> Response:
    return problem_response(HTTPStatus.BAD_REQUEST, "invalid_body", f"the body is not valid JSON: {e}")


@app.exception_handler(RecursionError)  # json.loads on a nesting bomb
def nesting_bomb(e: RecursionError) -> Response:
    return problem_response(HTTPStatus.BAD_REQUEST, "invalid_body", "the body nests too deeply")


@app.exception_handler(ValidationError)
def invalid_body(e: ValidationError) -> Response:
    error = e.errors()[0]
    location = ".".join(str(part) for part in error["loc"] if part != "__root__")
    if error["type"] == "value_error" and not location:
        return problem_response(HTTPStatus.BAD_REQUEST, "invalid_field", str(error["msg"]).removeprefix("Value error, "))
    return problem_response(HTTPStatus.BAD_REQUEST, "invalid_field", f"{location or 'body'}: {error['msg']}")


@app.exception_handler(Exception)
def internal(e: Exception) -> Response:
    logger.exception("internal error")
    return problem_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "internal error")


@app.not_found
def no_route(e: NotFoundError) -> Response:
    """Another method (405), or a path API Gateway would not route (an empty or invalid id: 400)."""
    if app.current_event.http_method != "PATCH":
        response = problem_response(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "only PATCH is allowed")
        response.headers["Allow"] = "PATCH"
        return response
    try:
        checked_account_id()
    except Problem as refusal:
        return refused(refusal)
    return problem_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


@idempotent(config=idempotency, persistence_store=persistence)
def handle(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        return handle(event, context)
    except IdempotencyValidationError:
        return idempotency_refusal(event, HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused", "this Idempotency-Key was used with another request")
    except IdempotencyAlreadyInProgressError:
        return idempotency_refusal(event, HTTPStatus.CONFLICT, "idempotency_key_in_use", "a request with this Idempotency-Key is in progress")


def idempotency_refusal(event: dict, status: HTTPStatus, code: str, detail: str) -> dict:
    request_id = event.get("requestContext", {}).get("requestId", "")
    body = {"type": "about:blank", "title": status.phrase, "status": int(status), "code": code, "detail": detail, "request_id": request_id}
    return {"statusCode": int(status), "headers": {"Content-Type": "application/problem+json"}, "body": json.dumps(body), "isBase64Encoded": False}
