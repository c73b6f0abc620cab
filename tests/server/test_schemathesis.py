"""Property-based fuzzing of the OpenAPI schema, in process: every read route and every (rejected)
write with generated input. No answer may be a 500, and every answer must match the schema."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from artscope.server import ServerConfig, create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
EXAMPLES = 10


@pytest.fixture(scope="module")
def api_schema(collection_dir: Path, token: str) -> Iterator[schemathesis.BaseSchema]:
    # a token is configured but never sent: every write must be refused with a documented answer
    app = create_app(collection_dir, ServerConfig(token=token, max_upload_bytes=1_000_000,
                                                  request_timeout_s=30))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    shutdown_lifespans()  # closes the collection (the lifespan would otherwise last the process)


def fuzz(operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode,
         statuses: Counter[int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case: schemathesis.Case) -> None:
        statuses[case.call_and_validate(checks=CHECKS).status_code] += 1

    run()


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_no_server_errors_and_answers_match_the_schema(api_schema: schemathesis.BaseSchema,
                                                       mode: schemathesis.GenerationMode) -> None:
    # (schemathesis' own pytest loader reaches into pytest internals that pytest 9 no longer has)
    failures = []
    statuses: Counter[int] = Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation, mode, statuses)
        except Unsatisfiable:  # negative mode: an operation without parameters has nothing to break
            continue
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert statuses[401] > 0, statuses  # the writes were tried, and refused
    if mode == schemathesis.GenerationMode.POSITIVE:
        assert statuses[200] > 10, statuses
