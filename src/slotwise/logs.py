"""Log output: readable text by default, one JSON object per line with `--log-format json`.

Every line goes through `redact` first: whatever a message or its fields carry, a bearer token,
a password or key parameter, or the user-info of a URL never reaches the output. Code should
not log secrets in the first place; this is the net under it.

Structured fields travel on the record as `extra={"fields": {...}}`: the JSON format puts them
at the top level of the object, the text format appends them as `key=value`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

FORMATS = ("text", "json")

# Each pattern with the words one of its matches must contain (lower-cased): an ASCII line with
# none of them is left alone without running the pattern. Three substitutions over every
# request's log line were most of what logging it cost. A line with other characters runs every
# pattern: under IGNORECASE some of them match ASCII letters (the long s matches "s").
_REDACTIONS = [
    # scheme://user:password@host -> scheme://***@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@"), r"\1***@", ("://",)),
    # Authorization: Bearer <token>, Basic <credentials>
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 ***", ("bearer", "basic")),
    # password=..., token: ..., "secret": "..." (also api_key, access_token, edit_token...)
    (
        re.compile(
            r"(?i)([\"']?\b[a-z_]*(?:password|passwd|secret|token|api_key|apikey|key_hash|salt)"
            r"[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;}]+"
        ),
        r"\1***",
        ("password", "passwd", "secret", "token", "api_key", "apikey", "key_hash", "salt"),
    ),
]


def redact(text: str) -> str:
    lowered = text.lower() if text.isascii() else None
    for pattern, replacement, words in _REDACTIONS:
        if lowered is None or any(word in lowered for word in words):
            text = pattern.sub(replacement, text)
    return text


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_timestamp(record.created)} {record.levelname:<7} {record.name}: "
        line += record.getMessage()
        fields = _fields(record)
        if fields:
            line += " " + " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


_SPACE = re.compile(r"\s")


def _text_value(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if (not text or _SPACE.search(text)) else text


def _timestamp(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"


def logging_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` dict (uvicorn applies it in each of its workers too)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"slotwise": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "slotwise",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # The request log (slotwise.request) replaces uvicorn's access log.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure(log_format: str = "text", level: str = "INFO") -> None:
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level))
