"""nbgrader's cell-metadata check with its JSON Schema compiled once.

nbgrader's ``CheckCellMetadata`` validates every cell's ``metadata.nbgrader`` with
``jsonschema.validate``, which re-checks the schema itself each time: with no kernel to
wait for, that was a third of the time it took to autograde a learner. This is the same
check (the same schema, the same version rules, the same errors, via nbgrader's own
``MetadataValidatorV3``), with the schema's validator built once per process. It runs
twice per notebook in the autograde chain of ``grading/nbgrader_config.py``.
"""
from __future__ import annotations

import traceback
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
    ValidationError,
)
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
from nbgrader.preprocessors import CheckCellMetadata

_COMPILED: dict[int, Any] = {}


def _compiled(version: int, schema: dict[str, Any]) -> Any:
    """The validator of nbgrader's metadata schema ``version``, checked and built once."""
    if version not in _COMPILED:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _COMPILED[version] = cls(schema)
    return _COMPILED[version]


class _CompiledSchema(BaseMetadataValidator):
    """The base check (schema version, then the JSON Schema) with the schema compiled once."""

    def validate_cell(self, cell: Any) -> None:
        if "nbgrader" not in cell.metadata:
            return
        schema = cell.metadata["nbgrader"].get("schema_version", 0)
        if schema < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        if schema > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {schema} (expected {self.schema_version})",
                                    schema, self.schema_version)
        error = best_match(_compiled(self.schema_version, self.schema).iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class CompiledMetadataValidator(MetadataValidatorV3, _CompiledSchema):
    """nbgrader's MetadataValidatorV3, whose ``super().validate_cell`` lands on the compiled check."""


class CheckCellMetadataCompiled(CheckCellMetadata):
    """nbgrader's CheckCellMetadata (same checks, same errors), the schema compiled once."""

    def preprocess(self, nb: Any, resources: Any) -> Any:
        try:
            CompiledMetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources
