"""The ValidationFaults QBO answers a refused write with, in Intuit's own wording."""
from __future__ import annotations

from flask import Response

from .clock import intuit_time
from .responses import json_response


class EntityFault(Exception):
    """A write QBO refuses: a ValidationFault with this code."""

    def __init__(self, code: str, message: str, detail: str, element: str = "") -> None:
        super().__init__(detail)
        self.code, self.message, self.detail, self.element = code, message, detail, element

    def as_json(self) -> dict:
        """The Fault object, as it appears in a response or a batch item."""
        error = {"Message": self.message, "Detail": self.detail, "code": self.code,
                 "element": self.element}
        return {"Error": [error], "type": "ValidationFault"}


def fault_response(fault: EntityFault) -> Response:
    """The 400 ValidationFault body for a refused write."""
    return json_response({"Fault": fault.as_json(), "time": intuit_time()}, 400)


def required_missing(name: str) -> EntityFault:
    """2020: a required field was not sent."""
    return EntityFault("2020", "Required param missing, need to supply the required value for"
                       " the API", f"Required parameter {name} is missing in the request", name)


def business_error(detail: str, element: str = "") -> EntityFault:
    """6000: a business rule refused the write."""
    return EntityFault("6000", "A business validation error has occurred while processing your"
                       " request", f"Business Validation Error: {detail}", element)


def invalid_property(name: str, value: object = None) -> EntityFault:
    """2010: a property QBO cannot read (wrong type, bad date, unknown line type)."""
    shown = "" if value is None else f" with value {value!r}"
    return EntityFault("2010", "Request has invalid or unsupported property",
                       f"Property Name:{name}{shown} specified is unsupported or invalid", name)


def invalid_enumeration(value: object, element: str) -> EntityFault:
    """2170: a value outside an enumeration."""
    return EntityFault("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", element)


def string_too_long(name: str, length: int, limit: int) -> EntityFault:
    """2050: a string longer than QBO stores."""
    return EntityFault("2050", "String length is either shorter or longer than supported by"
                       " specification", "String length specified does not match the supported"
                       f" length. Min:0 Max:{limit} supported. Supplied length:{length}", name)


def not_found(entity: str, entity_id: str) -> EntityFault:
    """610: the object named by Id does not exist (or was deleted)."""
    return EntityFault("610", "Object Not Found",
                       "Object Not Found : Something you're trying to use has been made inactive"
                       f" or deleted. {entity} Id={entity_id}")


def inactive_reference() -> EntityFault:
    """610: a transaction names a list record that was made inactive (Intuit's exact text)."""
    return EntityFault("610", "Object Not Found",
                       "Object Not Found : Something you're trying to use has been made inactive."
                       " Check the fields with accounts, customers, items, vendors or employees.")


def stale_object() -> EntityFault:
    """5010: the SyncToken sent is not the current one."""
    return EntityFault("5010", "Stale Object Error",
                       "Stale Object Error : You and another user were working on the same"
                       " thing at the same time. The other user finished before you did, so"
                       " your work was not saved.", "SyncToken")


def unsupported_operation(operation: str, entity: str) -> EntityFault:
    """500: an operation this entity does not support (e.g. deleting a Vendor)."""
    return EntityFault("500", "Unsupported Operation",
                       f"Operation {operation} is not supported for entity {entity}.")
