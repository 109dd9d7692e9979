"""The pages' protocol module (static/js/shared/protocol.js) names what havana/protocol.py names."""
import ast
import re
from pathlib import Path

from db import schema
from havana import protocol

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_JS = ROOT / "static" / "js" / "shared" / "protocol.js"
PROTOCOL_PY = ROOT / "havana" / "protocol.py"
JS_DIR = ROOT / "static" / "js"


def js_object(name):
    """`export const NAME = Object.freeze({ KEY: "value", ... })` from protocol.js, as a dict."""
    source = PROTOCOL_JS.read_text()
    match = re.search(rf"export const {name} = Object\.freeze\(\{{(.*?)\}}\);", source, re.S)
    assert match, f"{name} is not in {PROTOCOL_JS}"
    body = re.sub(r"//[^\n]*", "", match[1])
    return dict(re.findall(r"([A-Z_]+):\s*\"([a-z_]+)\"", body))


def python_constants(path):
    """Module-level NAME = <literal> assignments of a file."""
    constants = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                constants[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return constants


def statuses_and_roles():
    """The chat statuses and message roles, as the schema names them."""
    return set(schema.CHAT_STATUSES), set(schema.ROLES)


def python_events():
    """protocol.py's upper-case string constants that are event names (rooms, statuses, roles are not)."""
    statuses, roles = statuses_and_roles()
    return {name: value for name, value in vars(protocol).items()
            if name.isupper() and isinstance(value, str) and not name.endswith("_ROOM")
            and value not in statuses | roles and re.fullmatch(r"[a-z][a-z_]*", value)}


def python_error_codes():
    """Every code a ClientError is raised with in havana/, and the (code, message) pairs in errors.py."""
    codes = set()
    for path in (ROOT / "havana").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(called, "id", getattr(called, "attr", None)) == "ClientError":
                args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "code")]
                codes |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    for value in python_constants(ROOT / "havana" / "errors.py").values():
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
            codes.add(value[0])
    return codes


def test_every_event_name_matches_the_servers_under_the_same_name():
    events, legacy = js_object("EVENTS"), js_object("LEGACY_EVENTS")
    server = python_events()
    assert {k: v for k, v in events.items() if k not in server or server[k] != v} == {}, \
        "events the pages use that havana/protocol.py does not define"
    assert {k: v for k, v in server.items() if k not in events and legacy.get(k) != v} == {}, \
        "events havana/protocol.py defines that static/js/shared/protocol.js does not"


def test_statuses_and_roles_match_the_servers():
    statuses, roles = statuses_and_roles()
    assert set(js_object("STATUS").values()) == statuses
    assert set(js_object("ROLE").values()) == roles


def test_error_codes_match_the_ones_the_server_raises():
    assert set(js_object("ERROR").values()) == python_error_codes()


def test_pages_name_events_and_codes_through_the_protocol_module():
    """A string literal event or code in a page module would bypass the check above."""
    literal = re.compile(r"""(?:socket\.(?:on|emit|request)|\.code\s*[!=]==)\s*\(?\s*["']""")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in JS_DIR.rglob("*.js") if path != PROTOCOL_JS
                 for n, line in enumerate(path.read_text().splitlines(), 1) if literal.search(line)
                 and not re.search(r"""socket\.on\(\s*["'](connect|disconnect|connect_error)["']""", line)]
    assert offenders == []
