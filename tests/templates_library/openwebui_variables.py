"""Open WebUI's prompt-variable parser, ``extractInputVariables`` and its helpers from
``src/lib/utils/index.ts``, written again in Python line by line, so the tests read our
exports as Open WebUI's chat input reads them (``{{name | type:key="value":flag}}``)."""

import json
import re

_TYPED = re.compile(r"{{\s*([^|}\s]+)\s*\|\s*([^}]+)\s*}}")
_PLAIN = re.compile(r"{{\s*([^|}\s]+)\s*}}")


def split_properties(text: str, delimiter: str) -> list[str]:
    result, current, depth, in_string, escape_next = [], "", 0, False, False
    for char in text:
        if escape_next:
            current += char
            escape_next = False
            continue
        if char == "\\":
            current += char
            escape_next = True
            continue
        if char == '"':
            in_string = not in_string
            current += char
            continue
        if not in_string:
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
            if char == delimiter and depth == 0:
                result.append(current.strip())
                current = ""
                continue
        current += char
    if current.strip():
        result.append(current.strip())
    return result


def parse_json_value(value: str):
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    if re.match(r"^[\[{]", value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_variable_definition(definition: str) -> dict:
    first, *rest = split_properties(definition, ":")
    kind = first[5:] if first.startswith("type=") else first
    properties: dict = {}
    for part in rest:
        part = part.strip()
        if not part:
            continue
        equals = split_properties(part, "=")
        if len(equals) == 1:
            if equals[0].strip():
                properties[equals[0].strip()] = True
            continue
        name, *values = equals
        properties[name.strip()] = parse_json_value("=".join(values).strip())
    return {"type": kind, **properties}


def extract_input_variables(text: str) -> dict[str, dict]:
    variables: dict[str, dict] = {}
    for match in _TYPED.finditer(text):
        variables[match.group(1).strip()] = parse_variable_definition(match.group(2).strip())
    for match in _PLAIN.finditer(text):
        variables.setdefault(match.group(1).strip(), {"type": "text"})
    return variables
