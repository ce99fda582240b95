"""No input, however hostile, reaches a 5xx: NUL bytes and control characters in every path parameter,
query parameter, header and JSON string; bodies that are not UTF-8, nested 10,000 levels deep, with
numbers no machine type holds, too big, or sent as something else than JSON — on every operation of the
OpenAPI document, the two signed webhooks included, on SQLite and PostgreSQL. Each answer is a 4xx
problem+json and nothing is written (every table counted before and after)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from ogust.entrypoints.api.body_limit import DEFAULT_MAX_BYTES
from tests.integration.security_input.hostile import (
    PROBLEM,
    Answer,
    Target,
    build_target,
    leaves,
    replaced,
    stripe_headers,
    valid_bodies,
)

pytestmark = pytest.mark.integration

NUL_VALUES = ["a\x00b", "\x00", "a\x01b", "\ud800", "x" * 10_000]  # NUL, a control character, a lone surrogate, long
NUMBERS = ["1" + "0" * 400, "1e400", "-1e400", "-0", "NaN", "Infinity", "-Infinity", "1" + "0" * 5000, "0.1e-999999"]
WEBHOOKS = {"POST /api/shop/orders", "POST /api/stripe/webhook"}
NOT_JSON = {"POST /api/imports/{kind}"}  # a CSV file (text/csv): its cells, below


@pytest.fixture(scope="module")
def target(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One company for the module: no test here may write anything, each checks it."""
    yield from build_target(database_url, tmp_path_factory.mktemp("hostile") / "var")


@pytest.fixture(scope="module")
def operations(target: Target) -> list[tuple[str, str, dict]]:
    """(method, path template, operation) for every operation of the app's own OpenAPI document."""
    answer = target.call("GET", b"/openapi.json", content_type=None)
    assert answer.status == 200
    return [(method.upper(), path, operation) for path, item in answer.json()["paths"].items()
            for method, operation in item.items()]


def refused(answer: Answer, why: str) -> None:
    """A 4xx problem+json with a stable code and a French detail: never a 5xx."""
    assert 400 <= answer.status < 500, f"{why}: {answer.status} {answer.body[:300]!r}"
    assert answer.headers.get("content-type", "").startswith(PROBLEM), f"{why}: {answer.headers}"
    body = answer.json()
    assert body["status"] == answer.status and body["code"] and body["detail"], why


def unchanged(target: Target, before: dict[str, int]) -> None:
    after = target.rows()
    assert after == before, {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def path_of(target: Target, template: str, **values: str) -> bytes:
    path = template
    for name in _parameters(template):
        known = target.path_values.get(name, "inconnu")
        if name == "ref":  # the record of the path's own resource
            known = next((ref for prefix, ref in target.refs.items() if template.startswith(prefix)), "inconnu")
        path = path.replace("{" + name + "}", values.get(name, known))
    return path.encode("utf-8", "surrogatepass")


def _parameters(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{")]


def send(target: Target, method: str, template: str, body: bytes = b"", **kwargs) -> Answer:
    """``method template`` with a body signed where the operation is a signed webhook."""
    headers = list(kwargs.pop("headers", []))
    if template == "/api/shop/orders" and kwargs.pop("signed", True):
        headers += target.order_headers(body)
    if template == "/api/stripe/webhook" and kwargs.pop("signed", True):
        headers += stripe_headers(body)
    kwargs.pop("signed", None)
    return target.call(method, kwargs.pop("raw_path", None) or path_of(target, template), body=body,
                       headers=headers, **kwargs)


def test_a_nul_or_a_control_character_in_any_path_parameter_is_a_404(target, operations) -> None:
    before, checked = target.rows(), 0
    for method, template, _ in operations:
        for name in _parameters(template):
            for value in ("%00", "a%00b", "%01", "%ff%fe", "%ed%a0%80", "x" * 5000):
                raw = path_of(target, template, **{name: value})
                refused(target.call(method, raw, body=b"{}"), f"{method} {template} {name}={value[:20]}")
                checked += 1
            raw = path_of(target, template, **{name: "a\x00b"})  # a raw NUL, as a lax proxy would pass it on
            refused(target.call(method, raw, body=b"{}"), f"{method} {template} {name}=raw NUL")
    assert checked >= 25 * 6  # every path parameter of every operation (27 today)
    unchanged(target, before)


def test_hostile_query_strings_are_refused(target, operations) -> None:
    before, checked = target.rows(), 0
    for method, template, operation in operations:
        declared = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        for name in [*declared, *(["inconnu"] if method == "GET" else [])]:  # a parameter no route takes
            for value in (b"%00", b"a%00b", b"%01", b"%7f", b"%ff", b"%ed%a0%80"):  # never a text
                answer = target.call(method, path_of(target, template), query=name.encode() + b"=" + value,
                                     content_type=None)
                refused(answer, f"{method} {template}?{name}={value!r}")
                checked += 1
            for value in (b"1" + b"0" * 400, b"1e400", b"NaN", b"-0", b"x" * 10_000):  # maybe a text
                answer = target.call(method, path_of(target, template), query=name.encode() + b"=" + value,
                                     content_type=None)
                why = f"{method} {template}?{name}={value[:20]!r}"
                assert answer.status < 500, f"{why}: {answer.body[:300]!r}"
                if answer.status >= 400 or "integer" in json.dumps(declared.get(name, {})):
                    refused(answer, why)
    assert checked >= 20 * 6
    unchanged(target, before)


HEADER_VALUES = [b"a\x00b", b"\x00", b"\x01", b"a\nb", b"\xff\xfe", b"\xc3\x28", b"x" * 20_000]


def test_hostile_headers_are_refused(target) -> None:
    before = target.rows()
    for value in HEADER_VALUES:
        _hostile_headers(target, value)
    unchanged(target, before)


def _hostile_headers(target: Target, value: bytes) -> None:
    tarif = json.dumps(valid_bodies(target)["POST /api/tarifs"]).encode()
    refused(target.call("GET", b"/api/clients", headers=[(b"authorization", b"Bearer " + value)]), "Authorization")
    refused(target.call("GET", b"/api/clients", headers=[(b"authorization", b"Bearer ogk_" + value + b"_x")]),
            "Authorization")
    answer = target.call("POST", b"/api/tarifs", body=tarif, headers=[(b"idempotency-key", value)])
    refused(answer, "Idempotency-Key")
    order = json.dumps(valid_bodies(target)["POST /api/shop/orders"]).encode()
    good = dict(target.order_headers(order))
    for name in (b"x-ogust-timestamp", b"x-ogust-signature", b"x-ogust-account"):
        headers = [(k, value if k == name else v) for k, v in good.items()]
        refused(target.call("POST", b"/api/shop/orders", body=order, headers=headers, authorized=False), str(name))
    stripe = json.dumps(valid_bodies(target)["POST /api/stripe/webhook"]).encode()
    refused(target.call("POST", b"/api/stripe/webhook", body=stripe, headers=[(b"stripe-signature", value)],
                        authorized=False), "Stripe-Signature")


def test_a_nul_or_a_control_character_in_any_json_string_is_refused(target, operations) -> None:
    bodies = valid_bodies(target)
    with_body = {f"{m} {p}" for m, p, op in operations if "requestBody" in op} - NOT_JSON | WEBHOOKS
    assert with_body <= set(bodies), f"a valid body to start from for: {sorted(with_body - set(bodies))}"
    before = target.rows()
    for name in sorted(with_body):
        method, template = name.split(" ", 1)
        for where in leaves(bodies[name]):
            for value in NUL_VALUES:
                body = json.dumps(replaced(bodies[name], where, value)).encode()
                answer = send(target, method, template, body)
                if name == "POST /api/stripe/webhook" and where == ("data", "object", "object"):
                    assert answer.json() == {"received": True, "outcome": "ignored"}  # not a payment: read no further
                    continue
                refused(answer, f"{name} {'.'.join(map(str, where))}={value[:8]!r}")
    unchanged(target, before)


def test_huge_or_odd_numbers_anywhere_in_a_body_are_refused(target, operations) -> None:
    bodies = valid_bodies(target)
    before = target.rows()
    for name in sorted(bodies):
        method, template = name.split(" ", 1)
        for where in leaves(bodies[name]):
            for literal in NUMBERS:
                text = json.dumps(replaced(bodies[name], where, "__N__")).replace('"__N__"', literal)
                answer = send(target, method, template, text.encode())
                if target.rows() != before:
                    raise AssertionError(f"{name} {where}={literal[:12]}: {answer.status} {answer.body[:300]!r}")
                assert answer.status < 500, f"{name} {where}={literal[:12]}: {answer.body[:300]!r}"
                if answer.status >= 400:
                    refused(answer, f"{name} {where}={literal[:12]}")
    unchanged(target, before)


def test_a_body_nested_ten_thousand_levels_deep_is_refused_on_every_json_route(target, operations) -> None:
    depth = 10_000
    shapes = {"array": b"[" * depth + b"]" * depth, "object": b'{"a":' * depth + b"1" + b"}" * depth,
              "inside a field": b'{"account_id": "x", "name": ' + b"[" * depth + b"]" * depth + b"}"}
    before = target.rows()
    names = {f"{m} {p}" for m, p, op in operations if "requestBody" in op} | WEBHOOKS
    for name in sorted(names):
        method, template = name.split(" ", 1)
        for shape, body in shapes.items():
            refused(send(target, method, template, body), f"{name} {shape} signed")
            refused(send(target, method, template, body, signed=False), f"{name} {shape} unsigned")
    unchanged(target, before)


NOT_AN_OBJECT = [b'{"name": "\xff\xfe"}', b"\xff\xfe\x00{", b'{"code": "\xed\xa0\x80"}', b"\x00" * 64,
                 b'{"a": 1', b"", b"null", b"[]", b'"texte"', b"1e400", b'{"a": 1}{"b": 2}', b"\xef\xbb\xbf[]"]


def test_bodies_that_are_not_a_json_object_are_refused_on_every_route(target, operations) -> None:
    before = target.rows()
    for method, template, operation in operations:
        if "requestBody" not in operation and f"{method} {template}" not in WEBHOOKS:
            continue
        for body in NOT_AN_OBJECT:
            for signed in (True, False):
                refused(send(target, method, template, body, signed=signed), f"{method} {template} {body[:20]!r}")
    unchanged(target, before)


def test_a_body_sent_as_anything_but_json_is_a_415(target) -> None:
    bodies = valid_bodies(target)
    before = target.rows()
    for content_type in (b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x",
                         b"multipart/form-data", b"application/xml", b"json", b"application/jsonx"):
        for name in sorted(bodies):
            method, template = name.split(" ", 1)
            answer = send(target, method, template, json.dumps(bodies[name]).encode(), content_type=content_type)
            refused(answer, f"{name} {content_type!r}")
            assert answer.status == 415, name
    unchanged(target, before)


def test_a_body_without_content_type_or_with_a_json_one_is_read_as_json(target) -> None:
    bodies = valid_bodies(target)
    before = target.rows()
    for content_type in (None, b"application/json; charset=latin-1", b"application/merge-patch+json",
                         b"APPLICATION/JSON"):
        for name in sorted(bodies):
            method, template = name.split(" ", 1)
            body = json.dumps(replaced(bodies[name], next(iter(leaves(bodies[name]))), "a\x00b")).encode()
            answer = send(target, method, template, body, content_type=content_type)
            refused(answer, f"{name} {content_type!r}")
            assert answer.status in (400, 401, 403, 422), (name, answer.status)  # read, then refused
    unchanged(target, before)


def test_huge_bodies_are_refused_before_anything_reads_them(target, operations) -> None:
    body = b'{"name": "' + b"x" * (DEFAULT_MAX_BYTES + 10) + b'"}'
    before = target.rows()
    for name in {f"{m} {p}" for m, p, _ in operations if m in ("POST", "PATCH")}:
        method, template = name.split(" ", 1)
        for chunked in (False, True):  # a Content-Length, or none (chunked)
            answer = send(target, method, template, body, chunked=chunked)
            refused(answer, name)
            assert answer.status == 413, name
    unchanged(target, before)


def test_a_405_says_every_method_of_the_path(target, operations) -> None:
    methods: dict[str, set[str]] = {}
    for method, template, _ in operations:
        methods.setdefault(template, set()).add(method)
    for template in methods:
        path = path_of(target, template).decode()
        allowed = set().union(*(m for t, m in methods.items()  # /api/invoices/from-devis is also {invoice_id}
                                if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", t), path)))
        for method in {"GET", "POST", "PATCH", "DELETE", "PUT"} - allowed:
            answer = target.call(method, path.encode(), body=b"{}")
            refused(answer, f"{method} {template}")
            assert answer.status == 405, (method, template, answer.status)
            assert set(answer.headers["allow"].split(", ")) - {"HEAD"} == allowed, (template, answer.headers)


def test_the_order_webhook_checks_the_signature_before_the_body_and_the_account_after(target) -> None:
    before = target.rows()
    order = valid_bodies(target)["POST /api/shop/orders"]
    deep = b'{"account_id": "' + target.shop_account_id.encode() + b'", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for body in (deep, b"\xff" * 1000, b"{" * 200_000):  # signed with another secret: never parsed
        headers = [(k, v) for k, v in target.order_headers(body) if k != b"x-ogust-signature"]
        answer = target.call("POST", b"/api/shop/orders", body=body, authorized=False,
                             headers=[*headers, (b"x-ogust-signature", b"sha256=" + b"0" * 64)])
        refused(answer, "unsigned")
        assert answer.status == 401 and answer.json()["code"] == "bad_signature"
    other = json.dumps({**order, "account_id": "acc_someone_else"}).encode()
    answer = target.call("POST", b"/api/shop/orders", body=other, headers=target.order_headers(other),
                         authorized=False)
    refused(answer, "another account in the body")
    assert answer.status == 422 and answer.json()["code"] == "account_mismatch"
    unchanged(target, before)


def test_a_nul_or_a_control_character_in_an_imported_csv_cell_is_refused(target) -> None:
    before = target.rows()
    header = "email;prenom;nom;adresse;code_postal;ville\n"
    for value in [v for v in NUL_VALUES if v != "\ud800"]:  # bytes not UTF-8 are read as Windows-1252
        line = f"zoe@example.fr;Zo{value}é;Lefèvre;3 rue Haute;69003;Lyon\n"
        answer = target.call("POST", b"/api/imports/clients", body=(header + line).encode(),
                             content_type=b"text/csv")
        refused(answer, f"import clients prenom={value[:8]!r}")
    unchanged(target, before)
