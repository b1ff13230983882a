"""Is a new API or event document backward compatible with a published one?

A published document is a promise: what a client sent may still be sent, what it read is still
there. For every operation and event of the old document this checks, with `$ref`s resolved:
the operation (or message) still exists; what the service answers (2xx bodies, event payloads)
keeps every property it had, of the same type, and every property it always sent; what a client
sends (request bodies, query parameters) gains no required field. Additions are free.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


class Document:
    """A document whose `$ref`s (`#/components/schemas/X`) can be followed."""

    def __init__(self, body: Schema):
        self.body = body

    def resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            node: Any = self.body
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema


def _variants(doc: Document, schema: Schema) -> list[Schema]:
    schema = doc.resolve(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [v for s in schema[key] for v in _variants(doc, s)]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _variants(doc, schema["allOf"][0])
    return [schema]


def _object(doc: Document, schema: Schema) -> Schema | None:
    """The one object shape of a schema (a nullable object counts), else None."""
    shapes = [v for v in _variants(doc, schema) if v.get("type") != "null"]
    objects = [v for v in shapes if "properties" in v]
    return objects[0] if len(objects) == 1 and len(shapes) == 1 else None


def _types(doc: Document, schema: Schema) -> set[str]:
    return {v.get("type", "any") for v in _variants(doc, schema)}


def output_breaks(old: Document, new: Document, a: Schema, b: Schema, where: str,
                  depth: int = 0) -> list[str]:
    """What a reader of `a` (old) would miss in `b` (new)."""
    if depth > 12:
        return []
    old_types, new_types = _types(old, a), _types(new, b)
    if "any" not in old_types and "any" not in new_types and not new_types <= old_types:
        return [f"{where}: type {sorted(old_types)} became {sorted(new_types)}"]
    a_obj, b_obj = _object(old, a), _object(new, b)
    if a_obj is None or b_obj is None:
        a_items, b_items = old.resolve(a).get("items"), new.resolve(b).get("items")
        if isinstance(a_items, dict) and isinstance(b_items, dict):
            return output_breaks(old, new, a_items, b_items, f"{where}[]", depth + 1)
        return []
    found = []
    for name, prop in a_obj["properties"].items():
        if name not in b_obj["properties"]:
            found.append(f"{where}.{name}: removed")
            continue
        if name in a_obj.get("required", []) and name not in b_obj.get("required", []):
            found.append(f"{where}.{name}: no longer always sent")
        found += output_breaks(old, new, prop, b_obj["properties"][name], f"{where}.{name}",
                               depth + 1)
    return found


def input_breaks(old: Document, new: Document, a: Schema, b: Schema, where: str) -> list[str]:
    """What a client that sent `a` (old) would now be refused for by `b` (new)."""
    a_obj, b_obj = _object(old, a), _object(new, b)
    if a_obj is None or b_obj is None:
        return []
    found = [f"{where}.{name}: newly required" for name in b_obj.get("required", [])
             if name not in a_obj.get("required", [])]
    found += [f"{where}.{name}: no longer accepted" for name in a_obj["properties"]
              if name not in b_obj["properties"]]
    return found


def _json_body(part: Schema) -> Schema | None:
    content = part.get("content", {})
    return content.get("application/json", {}).get("schema")


def openapi_breaks(old_body: Schema, new_body: Schema) -> list[str]:
    """Every way the new OpenAPI document breaks a client of the old one."""
    old, new = Document(old_body), Document(new_body)
    found: list[str] = []
    for path, item in old_body["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            at = f"{method.upper()} {path}"
            new_op = new_body["paths"].get(path, {}).get(method)
            if new_op is None:
                found.append(f"{at}: removed")
                continue
            new_params = {(p["in"], p["name"]): p for p in new_op.get("parameters", [])}
            old_params = {(p["in"], p["name"]) for p in op.get("parameters", [])}
            found += [f"{at}: parameter {name} newly required"
                      for key, p in new_params.items() if p.get("required")
                      and key not in old_params for name in [key[1]]]
            old_in, new_in = op.get("requestBody"), new_op.get("requestBody")
            if new_in and new_in.get("required") and not old_in:
                found.append(f"{at}: a request body is newly required")
            if old_in and new_in and (a := _json_body(old_in)) and (b := _json_body(new_in)):
                found += input_breaks(old, new, a, b, f"{at} body")
            for code, response in op["responses"].items():
                if not code.startswith("2"):
                    continue
                if code not in new_op["responses"]:
                    found.append(f"{at} {code}: no longer answered")
                    continue
                a, b = _json_body(response), _json_body(new_op["responses"][code])
                if a and b:
                    found += output_breaks(old, new, a, b, f"{at} {code}")
    return found


def asyncapi_breaks(old_body: Schema, new_body: Schema) -> list[str]:
    """Every way the new AsyncAPI document breaks a consumer of the old one's events."""
    old, new = Document(old_body), Document(new_body)
    found: list[str] = []
    for name, schema in old_body["components"]["schemas"].items():
        if name not in old_body["components"].get("messages", {}) and not any(
                name in channel.get("messages", {}) for channel in old_body["channels"].values()):
            continue
        if name not in new_body["components"]["schemas"]:
            found.append(f"{name}: removed")
            continue
        found += output_breaks(old, new, schema, new_body["components"]["schemas"][name], name)
    return found
