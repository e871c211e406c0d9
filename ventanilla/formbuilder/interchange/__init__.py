"""Import and export of a service: XLSForm (the ODK spreadsheet standard) and our JSON.

Exact round trips: `service_from_json(service_to_json(...))` gives the same definition and
workflow; `definition_from_xlsform(definition_to_xlsform(d))` gives `definition_normalize(d)`
(see normalize.py for what XLSForm cannot carry). The workflow travels in the XLSForm as the
extra sheet `ventanilla_workflow` (`workflow_from_xlsform` reads it) and in the JSON.
"""

from ventanilla.formbuilder.interchange.jsonio import service_from_json, service_to_json
from ventanilla.formbuilder.interchange.normalize import definition_normalize
from ventanilla.formbuilder.interchange.xlsform import definition_to_xlsform
from ventanilla.formbuilder.interchange.xlsform_read import (
    definition_from_xlsform,
    workflow_from_xlsform,
)

__all__ = [
    "definition_from_xlsform",
    "definition_normalize",
    "definition_to_xlsform",
    "service_from_json",
    "service_to_json",
    "workflow_from_xlsform",
]
